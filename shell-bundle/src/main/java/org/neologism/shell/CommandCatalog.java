package org.neologism.shell;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.training.TrainingOption;
import org.neologism.core.training.TrainingOptions;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The registered commands of one Gogo scope, read the way Gogo reads them: a function is a public
 * method of the service with the function's name ({@code _name} for a Java keyword, {@code _main} for
 * a hyphenated name), {@code @Descriptor} documents it and {@code @Parameter} declares its options.
 */
final class CommandCatalog {

    private final BundleContext context;
    private final String scope;

    CommandCatalog(BundleContext context, String scope) {
        this.context = context;
        this.scope = scope;
    }

    /** Every command of the scope, sorted by name. */
    List<CommandDescription> commands() {
        Map<String, List<Method>> methods = new LinkedHashMap<>();
        for (ServiceReference<?> reference : references()) {
            Object service = context.getService(reference);
            if (service == null) {
                continue;
            }
            try {
                for (String function : functions(reference.getProperty(CommandProcessor.COMMAND_FUNCTION))) {
                    methods.computeIfAbsent(scope + ":" + function, name -> new ArrayList<>()).addAll(methodsOf(service.getClass(), function));
                }
            } finally {
                context.ungetService(reference);
            }
        }
        List<CommandDescription> commands = new ArrayList<>();
        methods.forEach((name, candidates) -> commands.add(describe(name, candidates)));
        commands.sort(Comparator.comparing(CommandDescription::name));
        return commands;
    }

    Optional<CommandDescription> command(String name) {
        String scoped = name.contains(":") ? name : scope + ":" + name;
        return commands().stream().filter(command -> command.name().equals(scoped)).findFirst();
    }

    private ServiceReference<?>[] references() {
        try {
            ServiceReference<?>[] found = context.getAllServiceReferences(null, "(" + CommandProcessor.COMMAND_SCOPE + "=" + scope + ")");
            return found == null ? new ServiceReference<?>[0] : found;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("scope " + scope + " makes no valid filter", e);
        }
    }

    private static List<String> functions(Object property) {
        if (property instanceof String[] names) {
            return Arrays.asList(names);
        }
        if (property instanceof Collection<?> names) {
            return names.stream().map(String::valueOf).toList();
        }
        return property == null ? List.of() : List.of(String.valueOf(property));
    }

    private static List<Method> methodsOf(Class<?> type, String function) {
        List<Method> found = new ArrayList<>();
        for (Method method : type.getMethods()) {
            String name = method.getName();
            if (name.equals(function) || name.equals("_" + function) || (function.contains("-") && name.equals("_main"))) {
                found.add(method);
            }
        }
        return found;
    }

    private static CommandDescription describe(String name, List<Method> methods) {
        String description = methods.stream()
                .filter(method -> method.isAnnotationPresent(Descriptor.class))
                .max(Comparator.comparingInt(Method::getParameterCount))
                .map(method -> method.getAnnotation(Descriptor.class).value())
                .orElse("");
        Map<String, CommandOption> options = new LinkedHashMap<>();
        for (Method method : methods) {
            Class<?>[] types = method.getParameterTypes();
            Annotation[][] annotations = method.getParameterAnnotations();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == CommandSession.class) {
                    continue;
                }
                Parameter parameter = find(annotations[i], Parameter.class);
                if (parameter != null) {
                    Descriptor descriptor = find(annotations[i], Descriptor.class);
                    boolean takesValue = Parameter.UNSPECIFIED.equals(parameter.presentValue());
                    CommandOption option = new CommandOption(List.of(parameter.names()), takesValue, types[i],
                            descriptor == null ? "" : descriptor.value());
                    options.putIfAbsent(parameter.names()[0], option);
                }
            }
        }
        if (name.equals("ti:train")) {
            // ti:train takes its options as a list; core's option table describes them.
            for (TrainingOption option : TrainingOptions.ALL) {
                options.putIfAbsent(option.name(), new CommandOption(option.names(), !option.isSwitch(),
                        option.type().name().matches(".*(INT|FLOAT|DOUBLE|LONG|NUMBER).*") ? Number.class : String.class,
                        option.help()));
            }
        }
        return new CommandDescription(name, description, List.copyOf(options.values()));
    }

    private static <A extends Annotation> A find(Annotation[] annotations, Class<A> type) {
        for (Annotation annotation : annotations) {
            if (type.isInstance(annotation)) {
                return type.cast(annotation);
            }
        }
        return null;
    }
}

package org.neologism.frontends.help;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Descriptor;
import org.neologism.core.console.CommandManual;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The shell's {@code help}, which documents every command whatever its name. Gogo's own {@code help} finds a
 * command's Java methods by its function name, so it cannot document {@code ti:import} (served by
 * {@code _import}: {@code import} is a Java keyword) or {@code ti:tensor-check} (served by {@code _main}),
 * nor a command whose options come from a table ({@code ti:train}). This one asks a command that implements
 * {@link CommandManual} for its manual, else reads the same Gogo annotations from the methods Gogo calls:
 * {@code name}, {@code _name} or, for a service of one function, {@code _main}. It takes Gogo's place by
 * registering as {@code felix:help} with a higher service ranking.
 */
@Component(service = HelpCommand.class, property = {
    "osgi.command.scope=felix",
    "osgi.command.function=help",
    "service.ranking:Integer=10"
})
public class HelpCommand {

    static final String SCOPE = CommandProcessor.COMMAND_SCOPE;
    static final String FUNCTION = CommandProcessor.COMMAND_FUNCTION;

    /** A registered command service: its scope, its functions and its reference. */
    private record Command(String scope, List<String> functions, ServiceReference<Object> reference) {}

    private final BundleContext context;
    // Every service with a command scope, whatever its class: a DS reference needs one interface, and the
    // commands share none. The tracker holds references only, so no command is activated before it is asked for.
    private final ServiceTracker<Object, ServiceReference<Object>> commands;

    @Activate
    public HelpCommand(BundleContext context) throws InvalidSyntaxException {
        this.context = context;
        this.commands = new ServiceTracker<>(context, context.createFilter("(" + SCOPE + "=*)"), null) {
            @Override
            public ServiceReference<Object> addingService(ServiceReference<Object> reference) {
                return reference;
            }

            @Override
            public void removedService(ServiceReference<Object> reference, ServiceReference<Object> tracked) {
                // Nothing was got from the registry, so nothing is released.
            }
        };
        commands.open(true);
    }

    @Deactivate
    void deactivate() {
        commands.close();
    }

    private List<Command> registered() {
        ServiceReference<Object>[] references = commands.getServiceReferences();
        if (references == null) {
            return List.of();
        }
        return Arrays.stream(references).map(reference -> new Command(String.valueOf(reference.getProperty(SCOPE)),
                functions(reference.getProperty(FUNCTION)), reference)).toList();
    }

    @Descriptor("List every command as scope:function")
    public String help() {
        TreeSet<String> names = new TreeSet<>();
        registered().forEach(command -> command.functions().forEach(f -> names.add(command.scope() + ":" + f)));
        return String.join("\n", names);
    }

    @Descriptor("Show how to use a command: its description, options and parameters")
    public String help(@Descriptor("the command, as function or scope:function") String name) {
        String scope = name.contains(":") ? name.substring(0, name.indexOf(':')) : "*";
        String function = name.substring(name.indexOf(':') + 1);
        StringBuilder text = new StringBuilder();
        registered().stream()
                .filter(command -> (scope.equals("*") || command.scope().equals(scope)) && command.functions().contains(function))
                .forEach(command -> text.append(manualOf(command, function)));
        return text.isEmpty() ? "No command " + name + "; help lists them" : text.toString().stripTrailing();
    }

    private String manualOf(Command command, String function) {
        Object service = context.getService(command.reference());
        if (service == null) {
            return "";
        }
        try {
            if (service instanceof CommandManual manual) {
                Optional<String> text = manual.manual(function);
                if (text.isPresent()) {
                    return command.scope() + ":" + function + "\n" + text.get() + "\n";
                }
            }
            return GogoAnnotations.describe(command.scope(), function, gogoMethods(service, function, command.functions()));
        } finally {
            context.ungetService(command.reference());
        }
    }

    /** The public methods Gogo would call for the function, as Gogo's runtime looks them up. */
    private static List<Method> gogoMethods(Object service, String function, List<String> functions) {
        List<Method> methods = new ArrayList<>();
        for (Method method : service.getClass().getMethods()) {
            String name = method.getName();
            if (name.equalsIgnoreCase(function) || name.equalsIgnoreCase("_" + function)
                    || functions.size() == 1 && name.equals("_main")) {
                methods.add(method);
            }
        }
        return methods;
    }

    private static List<String> functions(Object property) {
        if (property instanceof String[] array) {
            return List.of(array);
        }
        if (property instanceof Iterable<?> iterable) {
            List<String> names = new ArrayList<>();
            iterable.forEach(name -> names.add(String.valueOf(name)));
            return names;
        }
        return property == null ? List.of() : Arrays.asList(String.valueOf(property));
    }
}

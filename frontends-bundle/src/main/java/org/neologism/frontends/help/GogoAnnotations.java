package org.neologism.frontends.help;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

/** A command's usage read from its Gogo annotations, in the layout of Gogo's own {@code help}. */
final class GogoAnnotations {

    private GogoAnnotations() {}

    static String describe(String scope, String function, List<Method> methods) {
        StringBuilder text = new StringBuilder();
        for (Method method : methods) {
            Descriptor descriptor = method.getAnnotation(Descriptor.class);
            text.append(scope).append(':').append(function)
                    .append(descriptor == null ? "" : " - " + descriptor.value()).append('\n');
            StringBuilder flags = new StringBuilder();
            StringBuilder options = new StringBuilder();
            StringBuilder parameters = new StringBuilder();
            Annotation[][] annotations = method.getParameterAnnotations();
            Class<?>[] types = method.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == CommandSession.class || i == 0 && method.getName().equals("_main") && types[i] == String.class) {
                    continue;
                }
                Parameter option = find(annotations[i], Parameter.class);
                Descriptor about = find(annotations[i], Descriptor.class);
                String help = about == null ? "" : about.value();
                if (option == null) {
                    parameters.append(String.format("      %-20s %s%n", types[i].getSimpleName(), help));
                } else if (!Parameter.UNSPECIFIED.equals(option.presentValue())) {
                    flags.append(String.format("      %-20s %s%n", String.join(", ", option.names()), help));
                } else {
                    options.append(String.format("      %-20s %s [optional]%n", String.join(", ", option.names()), help));
                }
            }
            section(text, "flags", flags);
            section(text, "options", options);
            section(text, "parameters", parameters);
        }
        return text.toString();
    }

    private static void section(StringBuilder text, String title, StringBuilder rows) {
        if (!rows.isEmpty()) {
            text.append("   ").append(title).append(":\n").append(rows);
        }
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

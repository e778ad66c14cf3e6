package org.neologism.concepts.shell;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;

import org.apache.felix.service.command.Descriptor;

/** A command's usage from its Gogo annotations, for the command Gogo's help cannot find by name. */
final class Usage {

    private Usage() {
    }

    static String of(Method method, String command) {
        StringBuilder usage = new StringBuilder(command);
        StringBuilder lines = new StringBuilder();
        for (Parameter parameter : method.getParameters()) {
            String text = parameter.getAnnotation(Descriptor.class).value();
            org.apache.felix.service.command.Parameter option =
                    parameter.getAnnotation(org.apache.felix.service.command.Parameter.class);
            if (option == null) {
                usage.append(" <").append(parameter.getName()).append('>');
                lines.append(String.format("   %-12s %s%n", "<" + parameter.getName() + ">", text));
            } else {
                boolean flag = parameter.getType() == boolean.class;
                usage.append(" [").append(option.names()[0]).append(flag ? "" : " <" + parameter.getName() + ">").append(']');
                lines.append(String.format("   %-12s %s%n", option.names()[0], text));
            }
        }
        return method.getAnnotation(Descriptor.class).value() + System.lineSeparator() + "Usage: " + usage
                + System.lineSeparator() + lines;
    }
}

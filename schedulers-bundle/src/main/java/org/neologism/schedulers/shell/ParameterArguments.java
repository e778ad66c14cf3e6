package org.neologism.schedulers.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Schedule parameters from the command line, written {@code name=value}, {@code --name value} or
 * {@code --name=value}, e.g. {@code num_cycles=3} or {@code --step_rules 1:10,0.1}.
 */
final class ParameterArguments {

    private ParameterArguments() {}

    static Map<String, String> parse(List<String> arguments) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String name;
            String value;
            if (argument.startsWith("--")) {
                String option = argument.substring(2);
                int equals = option.indexOf('=');
                if (equals >= 0) {
                    name = option.substring(0, equals);
                    value = option.substring(equals + 1);
                } else if (i + 1 < arguments.size()) {
                    name = option;
                    value = arguments.get(++i);
                } else {
                    throw new IllegalArgumentException("Parameter " + argument + " needs a value, e.g. " + argument + " 3");
                }
            } else {
                int equals = argument.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("'" + argument
                            + "' is not a schedule parameter: write name=value or --name value, e.g. num_cycles=3");
                }
                name = argument.substring(0, equals);
                value = argument.substring(equals + 1);
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("'" + argument + "' names no parameter: write name=value, e.g. num_cycles=3");
            }
            if (parameters.put(name, value) != null) {
                throw new IllegalArgumentException("Parameter " + name + " is given twice: give it once");
            }
        }
        return parameters;
    }
}

package org.neologism.trainer.cli;

import java.util.Map;

/**
 * An invokeai-ti command line, parsed.
 *
 * @param given the options given, by canonical name, as text (switches as their present value)
 * @param help  {@code --help}: print the options and exit
 * @param gui   {@code --gui}: open the console form, prefilled with {@code given}
 */
record ParsedCommandLine(Map<String, String> given, boolean help, boolean gui) {

    ParsedCommandLine {
        given = Map.copyOf(given);
    }

    /** The option's value: as given, else its default (empty when it has none). */
    String value(TrainOption option) {
        return given.getOrDefault(option.name(), option.defaultValue());
    }

    /** The value of the option called {@code name}. */
    String value(TrainOptions options, String name) {
        return value(options.exactly(name).orElseThrow(() -> new IllegalArgumentException("ti:train has no " + name)));
    }

    /** The arguments of a {@code ti:train} call that waits for the run. */
    Object[] trainArguments(TrainOptions options) {
        Object[] arguments = new Object[options.withWait().size()];
        for (TrainOption option : options.withWait()) {
            String text = option.names().contains(TrainOptions.WAIT) ? "true" : value(option);
            arguments[option.position()] = option.convert(text);
        }
        return arguments;
    }
}

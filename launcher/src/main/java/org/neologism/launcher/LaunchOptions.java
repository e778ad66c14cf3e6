package org.neologism.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's command line: {@code [-Dkey=value ...] [--run "<gogo command>" ...] [--help]}.
 *
 * @param commands   Gogo commands to run non-interactively, in order; empty for the interactive shell
 * @param properties {@code -D} options, passed to the framework and set as system properties
 * @param help       print usage and exit
 */
record LaunchOptions(List<String> commands, Map<String, String> properties, boolean help) {

    static final String USAGE = """
            Usage: neologism [-Dkey=value ...] [--run "<gogo command>" ...]
              (no arguments)         start the interactive Gogo shell (g! prompt; 'help' lists commands)
              --run "<command>"      run a Gogo command and exit; repeat to run several in order.
                                     Exits 0, or 1 at the first command that fails.
              -Dkey=value            set a framework and system property (e.g. -Dneologism.root=/data/ti)
              --help                 show this text
            """;

    static LaunchOptions parse(String... args) {
        List<String> commands = new ArrayList<>();
        Map<String, String> properties = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--run")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--run needs a Gogo command, e.g. --run ti:info");
                }
                commands.add(args[++i]);
            } else if (arg.startsWith("--run=")) {
                commands.add(arg.substring("--run=".length()));
            } else if (arg.startsWith("-D") && arg.length() > 2) {
                int equals = arg.indexOf('=');
                if (equals < 0) {
                    properties.put(arg.substring(2), "true");
                } else {
                    properties.put(arg.substring(2, equals), arg.substring(equals + 1));
                }
            } else if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else {
                throw new IllegalArgumentException("Unknown option '" + arg + "'. Run neologism --help for the options.");
            }
        }
        return new LaunchOptions(List.copyOf(commands), Map.copyOf(properties), help);
    }

    boolean interactive() {
        return commands.isEmpty();
    }
}

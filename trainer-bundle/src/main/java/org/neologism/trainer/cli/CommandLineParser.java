package org.neologism.trainer.cli;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * invokeai-ti's command line, parsed as argparse does: {@code --flag value} and {@code --flag=value}, a
 * unique prefix of a long option stands for it, switches take no value, the last occurrence wins.
 */
final class CommandLineParser {

    static final String HELP = "--help";
    static final String GUI = "--gui";

    private final TrainOptions options;

    CommandLineParser(TrainOptions options) {
        this.options = options;
    }

    ParsedCommandLine parse(List<String> args) {
        Map<String, String> given = new LinkedHashMap<>();
        boolean help = false;
        boolean gui = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw new BadCommandLineException("unexpected argument '" + arg + "': every value follows its option,"
                        + " e.g. --placeholder_token '<cat-toy>' (invokeai-ti --help lists the options)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String inline = equals < 0 ? null : arg.substring(equals + 1);
            if (name.equals("-h") || matchesLocal(name, HELP)) {
                help = true;
                continue;
            }
            if (matchesLocal(name, GUI)) {
                rejectValue(GUI, inline);
                gui = true;
                continue;
            }
            TrainOption option = resolve(name);
            if (option.isSwitch()) {
                rejectValue(option.name(), inline);
                String flag = option.names().stream().filter(n -> n.equals(name) || n.startsWith(name)).findFirst()
                        .orElse(option.name());
                given.put(option.name(), option.presentValue());
                if (flag.startsWith("--no")) {
                    // --no-scale_lr switches --scale_lr off: the last of the two wins, as in argparse.
                    positiveCounterpart(option).ifPresent(on -> given.put(on.name(), "false"));
                } else {
                    negation(option).ifPresent(off -> given.remove(off.name()));
                }
                continue;
            }
            String value;
            if (inline != null) {
                value = inline;
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new BadCommandLineException(option.name() + " expects a value (invokeai-ti --help describes it)");
            }
            option.convert(value);
            given.put(option.name(), value);
        }
        return new ParsedCommandLine(given, help, gui);
    }

    private static boolean matchesLocal(String name, String option) {
        return name.length() >= 4 && option.startsWith(name);
    }

    private static void rejectValue(String option, String inline) {
        if (inline != null) {
            throw new BadCommandLineException(option + " takes no value, not '" + inline + "'");
        }
    }

    /** {@code --no-X} is the switch that turns {@code --X} off (invokeai-ti's {@code --no-scale_lr}). */
    private Optional<TrainOption> positiveCounterpart(TrainOption negation) {
        String positive = "--" + negation.name().replaceFirst("^--no[-_]", "");
        return options.exactly(positive);
    }

    private Optional<TrainOption> negation(TrainOption positive) {
        String bare = positive.name().substring(2);
        return options.exactly("--no-" + bare).or(() -> options.exactly("--no_" + bare));
    }

    /** The option a name stands for: exact, else the one option it is a prefix of. */
    TrainOption resolve(String name) {
        var exact = options.exactly(name);
        if (exact.isPresent() && !exact.get().names().contains(TrainOptions.WAIT)) {
            return exact.get();
        }
        if (name.startsWith("--") && name.length() > 2) {
            List<TrainOption> prefixed = options.all().stream()
                    .filter(option -> option.names().stream().anyMatch(n -> n.startsWith(name))).toList();
            if (prefixed.size() == 1) {
                return prefixed.get(0);
            }
            if (prefixed.size() > 1) {
                throw new BadCommandLineException("ambiguous option " + name + " could match "
                        + String.join(", ", prefixed.stream().map(TrainOption::name).toList()));
            }
        }
        throw new BadCommandLineException("unrecognized option " + name + "; did you mean " + closest(name)
                + "? (invokeai-ti --help lists the options)");
    }

    /** The known spelling nearest to a mistyped one (edit distance, ignoring - versus _). */
    String closest(String name) {
        String typed = normalize(name);
        return Stream.concat(options.all().stream().flatMap(option -> option.names().stream()), Stream.of(HELP, GUI))
                .min(Comparator.comparingInt((String known) -> EditDistance.between(typed, normalize(known)))
                        .thenComparing(known -> known))
                .orElse(HELP);
    }

    private static String normalize(String name) {
        return name.replaceFirst("^-+", "").replace('-', '_').toLowerCase(Locale.ROOT);
    }
}

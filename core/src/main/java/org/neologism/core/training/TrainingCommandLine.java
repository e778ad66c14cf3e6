package org.neologism.core.training;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A training command line, parsed as argparse does: {@code --flag value} and {@code --flag=value}, a unique
 * prefix of a long option stands for it, switches take no value, the last occurrence wins. The options are
 * {@link TrainingOptions#ALL} plus the front end's own switches ({@code --help}, {@code --gui}, {@code --wait}).
 */
public final class TrainingCommandLine {

    /** One of the front end's own switches, with its help line. */
    public record Switch(List<String> names, String help) {
        public Switch {
            names = List.copyOf(names);
        }

        public String name() {
            return names.get(0);
        }
    }

    /**
     * A parsed command line.
     *
     * @param given    the request's options given, by canonical name, as text (switches as {@code "true"})
     * @param switches the front end's own switches given, by canonical name
     */
    public record Parsed(Map<String, String> given, Set<String> switches) {
        public Parsed {
            given = Map.copyOf(given);
            switches = Set.copyOf(switches);
        }

        public boolean has(String frontEndSwitch) {
            return switches.contains(frontEndSwitch);
        }

        /**
         * The request these options describe, the others at their defaults; not yet validated.
         *
         * @throws InvalidTrainingRequestException naming each option whose value it cannot take
         */
        public TrainingRequest request() {
            return TrainingOptions.request(given);
        }
    }

    private static final int WIDTH = 100;
    private static final int HELP_COLUMN = 40;

    private final String program;
    private final List<Switch> own;

    /**
     * @param program the command's name, in messages ({@code invokeai-ti --help lists the options})
     * @param own     the front end's switches besides the request's options
     */
    public TrainingCommandLine(String program, List<Switch> own) {
        this.program = program;
        this.own = List.copyOf(own);
    }

    /** @throws InvalidTrainingRequestException with the one line the user sees */
    public Parsed parse(List<String> args) {
        Map<String, String> given = new LinkedHashMap<>();
        Set<String> switches = new LinkedHashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw bad("unexpected argument '" + arg + "': every value follows its option,"
                        + " e.g. --placeholder_token '<cat-toy>' (" + program + " --help lists the options)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String inline = equals < 0 ? null : arg.substring(equals + 1);
            Optional<Switch> frontEnd = ownSwitch(name);
            if (frontEnd.isPresent()) {
                rejectValue(frontEnd.get().name(), inline);
                switches.add(frontEnd.get().name());
                continue;
            }
            TrainingOption option = resolve(name);
            if (option.isSwitch()) {
                rejectValue(option.name(), inline);
                String flag = option.names().stream().filter(n -> n.equals(name) || n.startsWith(name)).findFirst()
                        .orElse(option.name());
                given.put(option.name(), "true");
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
                throw bad(option.name() + " expects a value (" + program + " --help describes it)");
            }
            option.check(value);
            given.put(option.name(), value);
        }
        return new Parsed(given, switches);
    }

    /** A front-end switch: exactly, {@code -h} for {@code --help}, or a prefix of four characters or more. */
    private Optional<Switch> ownSwitch(String name) {
        return own.stream().filter(s -> s.names().contains(name)
                || name.length() >= 4 && name.startsWith("--") && s.name().startsWith(name)).findFirst();
    }

    private static void rejectValue(String option, String inline) {
        if (inline != null) {
            throw bad(option + " takes no value, not '" + inline + "'");
        }
    }

    /** {@code --no-X} is the switch that turns {@code --X} off (invokeai-ti's {@code --no-scale_lr}). */
    private static Optional<TrainingOption> positiveCounterpart(TrainingOption negation) {
        return TrainingOptions.named("--" + negation.name().replaceFirst("^--no[-_]", ""));
    }

    private static Optional<TrainingOption> negation(TrainingOption positive) {
        String bare = positive.name().substring(2);
        return TrainingOptions.named("--no-" + bare).or(() -> TrainingOptions.named("--no_" + bare));
    }

    /** The option a name stands for: exact, else the one option it is a prefix of. */
    public TrainingOption resolve(String name) {
        Optional<TrainingOption> exact = TrainingOptions.named(name);
        if (exact.isPresent()) {
            return exact.get();
        }
        if (name.startsWith("--") && name.length() > 2) {
            List<TrainingOption> prefixed = TrainingOptions.ALL.stream()
                    .filter(option -> option.names().stream().anyMatch(n -> n.startsWith(name))).toList();
            if (prefixed.size() == 1) {
                return prefixed.get(0);
            }
            if (prefixed.size() > 1) {
                throw bad("ambiguous option " + name + " could match "
                        + String.join(", ", prefixed.stream().map(TrainingOption::name).toList()));
            }
        }
        throw bad("unrecognized option " + name + "; did you mean " + closest(name) + "? (" + program
                + " --help lists the options)");
    }

    /** The known spelling nearest to a mistyped one (edit distance, ignoring - versus _). */
    public String closest(String name) {
        String typed = normalize(name);
        return Stream.concat(TrainingOptions.ALL.stream().flatMap(option -> option.names().stream()),
                        own.stream().map(Switch::name))
                .min(Comparator.comparingInt((String known) -> EditDistance.between(typed, normalize(known)))
                        .thenComparing(known -> known))
                .orElse("--help");
    }

    private static String normalize(String name) {
        return name.replaceFirst("^-+", "").replace('-', '_').toLowerCase(Locale.ROOT);
    }

    private static InvalidTrainingRequestException bad(String message) {
        return new InvalidTrainingRequestException(message);
    }

    /** The option rows of a help screen in argparse's layout: the front end's switches, then every option. */
    public String optionsHelp() {
        StringBuilder text = new StringBuilder();
        for (Switch s : own) {
            row(text, String.join(", ", s.names()), s.help());
        }
        for (TrainingOption option : TrainingOptions.ALL) {
            String names = String.join(", ", option.names()) + (option.isSwitch() ? "" : " " + option.metavar());
            row(text, names, option.help());
        }
        return text.toString();
    }

    private static void row(StringBuilder text, String names, String help) {
        String head = "  " + names;
        List<String> lines = wrap(help, HELP_COLUMN);
        if (head.length() + 2 > HELP_COLUMN) {
            text.append(head).append('\n');
        } else {
            text.append(head).append(" ".repeat(HELP_COLUMN - head.length())).append(lines.remove(0).strip()).append('\n');
        }
        lines.forEach(line -> text.append(line).append('\n'));
    }

    /** {@code text} in lines of at most 100 characters, each indented by {@code indent}. */
    public static List<String> wrap(String text, int indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(" ".repeat(indent));
        for (String word : text.split("\\s+")) {
            if (line.length() > indent && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(" ".repeat(indent));
            }
            if (line.length() > indent) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}

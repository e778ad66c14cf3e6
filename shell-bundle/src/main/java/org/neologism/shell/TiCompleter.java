package org.neologism.shell;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.neologism.core.root.RootFolder;

/**
 * Tab completion for the {@code ti:} commands: their {@code --options} (with each option's
 * description), the values of options that name a model or a schedule, installed triggers where a
 * command takes one, and file paths elsewhere. Command names, and every other scope's commands, are
 * left to Gogo's own completer.
 */
final class TiCompleter implements Completer {

    /** Commands whose first argument is an installed trigger, or a schedule name. */
    private static final Map<String, Kind> FIRST_ARGUMENT = Map.of(
            "ti:export", Kind.TRIGGER,
            "ti:remove", Kind.TRIGGER,
            "ti:generate", Kind.TRIGGER,
            "ti:schedule", Kind.SCHEDULE,
            "ti:bench", Kind.MODEL);

    /** Options whose value is a name rather than free text. */
    private static final Map<String, Kind> OPTION_VALUE = Map.of(
            "--model", Kind.MODEL,
            "--lr_scheduler", Kind.SCHEDULE);

    enum Kind { TRIGGER, MODEL, SCHEDULE }

    private final Completer gogo;
    private final Function<String, Optional<CommandDescription>> commands;
    private final ArgumentValues values;
    private final Function<String, String> resolveCommand;
    private final Supplier<RootFolder> defaultRoot;
    private final Completer files;

    /**
     * @param gogo           Gogo's completer, for command names and other scopes
     * @param commands       the {@code ti:} command of a scoped name, if there is one
     * @param resolveCommand a typed command name to its scoped name, as Gogo resolves it
     */
    TiCompleter(Completer gogo, Function<String, Optional<CommandDescription>> commands, ArgumentValues values,
                Function<String, String> resolveCommand, Supplier<RootFolder> defaultRoot, Supplier<Path> currentDir) {
        this.gogo = gogo;
        this.commands = commands;
        this.values = values;
        this.resolveCommand = resolveCommand;
        this.defaultRoot = defaultRoot;
        this.files = new Completers.FilesCompleter(currentDir);
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        Optional<CommandDescription> command = line.wordIndex() == 0 ? Optional.empty()
                : commands.apply(resolveCommand.apply(line.words().get(0))).filter(found -> found.name().startsWith("ti:"));
        if (command.isEmpty()) {
            gogo.complete(reader, line, candidates);
            return;
        }
        CommandDescription description = command.get();
        String word = line.word();
        if (word.startsWith("-")) {
            for (CommandOption option : description.options()) {
                for (String name : option.names()) {
                    candidates.add(new Candidate(name, name, "options", option.description(), null, option.names().get(0), true));
                }
            }
            return;
        }
        List<String> words = line.words();
        String previous = line.wordIndex() >= 2 ? words.get(line.wordIndex() - 1) : "";
        Optional<CommandOption> valueOf = previous.startsWith("-") ? description.option(previous) : Optional.empty();
        RootFolder root = root(words, description);
        if (valueOf.isPresent() && valueOf.get().takesValue()) {
            Kind kind = OPTION_VALUE.get(valueOf.get().names().get(0));
            if (kind != null) {
                add(kind, root, line, candidates);
            }
            if ((kind == null || kind == Kind.MODEL) && valueOf.get().textValue()) {
                files.complete(reader, line, candidates);
            }
            return;
        }
        Kind kind = positionalIndex(words, line.wordIndex(), description) == 0 ? FIRST_ARGUMENT.get(description.name()) : null;
        if (kind != null) {
            add(kind, root, line, candidates);
        }
        if (kind != Kind.TRIGGER && kind != Kind.SCHEDULE) {
            files.complete(reader, line, candidates);
        }
    }

    private void add(Kind kind, RootFolder root, ParsedLine line, List<Candidate> candidates) {
        List<ArgumentValues.Value> found = switch (kind) {
            case TRIGGER -> values.triggers(root);
            case MODEL -> values.models(root);
            case SCHEDULE -> values.schedules();
        };
        // A word the user began with a quote is re-quoted by Gogo's parser: offer the bare value then.
        boolean quoted = startsWithQuote(line);
        for (ArgumentValues.Value value : found) {
            candidates.add(new Candidate(quoted ? value.shown() : value.inserted(), value.shown(), value.group(), null, null, null, true));
        }
    }

    private static boolean startsWithQuote(ParsedLine line) {
        if (!(line instanceof CompletingParsedLine raw) || raw.rawWordLength() == 0) {
            return false;
        }
        int start = line.cursor() - raw.rawWordCursor();
        char first = start >= 0 && start < line.line().length() ? line.line().charAt(start) : 0;
        return first == '\'' || first == '"';
    }

    /** The root the command line names with {@code --root}, else the shell's. */
    private RootFolder root(List<String> words, CommandDescription command) {
        int at = words.indexOf("--root");
        if (at > 0 && at + 1 < words.size() && !words.get(at + 1).isBlank() && command.option("--root").isPresent()) {
            return new RootFolder(Path.of(words.get(at + 1)));
        }
        return defaultRoot.get();
    }

    /** How many plain arguments come before the word at {@code index}: options and their values do not count. */
    static int positionalIndex(List<String> words, int index, CommandDescription command) {
        int positional = 0;
        for (int i = 1; i < index; i++) {
            String word = words.get(i);
            if (word.startsWith("-")) {
                if (command.option(word).map(CommandOption::takesValue).orElse(false)) {
                    i++;
                }
            } else {
                positional++;
            }
        }
        return positional;
    }
}

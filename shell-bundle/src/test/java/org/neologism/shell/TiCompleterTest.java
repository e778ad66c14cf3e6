package org.neologism.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.RootFolder;

class TiCompleterTest {

    @TempDir
    Path temp;

    private static final CommandDescription SCHEDULE = new CommandDescription("ti:schedule", "Print a schedule",
            List.of(new CommandOption(List.of("--steps"), true, int.class, "steps")));
    private static final CommandDescription TRAIN = new CommandDescription("ti:train", "Train",
            List.of(new CommandOption(List.of("--lr_scheduler"), true, String.class, "schedule"),
                    new CommandOption(List.of("--max_train_steps"), true, int.class, "steps")));

    private List<String> complete(String typed) {
        TiCompleter completer = new TiCompleter((reader, line, candidates) -> candidates.add(new Candidate("gogo")),
                name -> Optional.ofNullable(name.equals("ti:schedule") ? SCHEDULE : name.equals("ti:train") ? TRAIN : null),
                new ArgumentValues(null, () -> List.of("cosine", "constant", "linear")),
                name -> name.contains(":") ? name : "ti:" + name, () -> new RootFolder(temp), () -> temp);
        ParsedLine line = new DefaultParser().parse(typed, typed.length());
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, line, candidates);
        return candidates.stream().map(Candidate::value).sorted().toList();
    }

    @Test
    void aScheduleArgumentOffersTheRegisteredSchedules() {
        assertEquals(List.of("constant", "cosine", "linear"), complete("ti:schedule co"));
        assertEquals(List.of("constant", "cosine", "linear"), complete("ti:train --lr_scheduler co"));
    }

    @Test
    void optionsAreOfferedForADash() {
        assertEquals(List.of("--lr_scheduler", "--max_train_steps"), complete("ti:train --"));
    }

    @Test
    void aNumberGetsNoCandidates() {
        assertEquals(List.of(), complete("ti:train --max_train_steps "));
    }

    @Test
    void otherCommandsAreLeftToGogo() {
        assertEquals(List.of("gogo"), complete("lb "));
        assertEquals(List.of("gogo"), complete("ti:tr"));
    }
}

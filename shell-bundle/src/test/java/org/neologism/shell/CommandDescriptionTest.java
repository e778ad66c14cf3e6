package org.neologism.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandDescriptionTest {

    private static final CommandDescription TRAIN = new CommandDescription("ti:train",
            "Learn a trigger's embedding from a folder of images. Runs in the background; ti:status shows progress.",
            List.of(new CommandOption(List.of("--model"), true, String.class, "the model"),
                    new CommandOption(List.of("--center_crop"), false, boolean.class, "crop"),
                    new CommandOption(List.of("--max_train_steps"), true, int.class, "steps")));

    @Test
    void helpShowsTheFirstSentence() {
        assertEquals("Learn a trigger's embedding from a folder of images", TRAIN.summary());
        assertEquals("List the schedules", new CommandDescription("ti:schedulers", "List the schedules.", List.of()).summary());
        assertEquals("Train a demo embedding end to end", new CommandDescription("ti:demo",
                "Train a demo embedding end to end: generates a tiny model", List.of()).summary());
        String longOne = new CommandDescription("ti:x", "word ".repeat(40).strip(), List.of()).summary();
        assertTrue(longOne.length() <= CommandDescription.SUMMARY_WIDTH && longOne.endsWith("word…"), longOne);
    }

    @Test
    void optionsAndTheirValuesAreNotArguments() {
        // ti:train --model m --center_crop <here>: no argument before it, a flag takes no value.
        assertEquals(0, TiCompleter.positionalIndex(List.of("ti:train", "--model", "m", "--center_crop", ""), 4, TRAIN));
        // ti:export --format a1111_pt '<cat>' <here>: one argument before it.
        CommandDescription export = new CommandDescription("ti:export", "",
                List.of(new CommandOption(List.of("--format"), true, String.class, "")));
        assertEquals(1, TiCompleter.positionalIndex(List.of("ti:export", "--format", "a1111_pt", "'<cat>'", ""), 4, export));
    }

    @Test
    void onlyTextValuesAreCompletedAsFiles() {
        assertEquals(true, TRAIN.option("--model").orElseThrow().textValue());
        assertEquals(false, TRAIN.option("--max_train_steps").orElseThrow().textValue());
        assertEquals(false, TRAIN.option("--center_crop").orElseThrow().textValue());
    }
}

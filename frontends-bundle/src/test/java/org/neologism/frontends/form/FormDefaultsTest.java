package org.neologism.frontends.form;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.RootFolder;
import org.neologism.core.training.TrainingOptions;

class FormDefaultsTest {

    @TempDir
    Path dir;

    private static final Map<String, String> COMMAND_LINE = TrainingOptions.defaults();

    @Test
    void theFormStartsFromInvokeAisTuiValues() throws Exception {
        RootFolder root = new RootFolder(dir).createLayout();
        Map<String, String> initial = new FormDefaults(root, Map.of()).initial(COMMAND_LINE);
        // TRAINING.md: gradient accumulation 4, max steps 2500, lr 5e-4, warmup 0, fp16 in the TUI.
        assertEquals("4", initial.get("--gradient_accumulation_steps"));
        assertEquals("2500", initial.get("--max_train_steps"));
        assertEquals(5e-4, Double.parseDouble(initial.get("--learning_rate")));
        assertEquals("0", initial.get("--lr_warmup_steps"));
        assertEquals("fp16", initial.get("--mixed_precision"));
        assertEquals("512", initial.get("--resolution"));
        assertEquals(dir.toString(), initial.get("--root"));
    }

    @Test
    void savedAnswersOverrideTheTuiValuesAndTheCommandLineOverridesBoth() throws Exception {
        RootFolder root = new RootFolder(dir).createLayout();
        SavedAnswers.write(root, Map.of("--max_train_steps", "300", "--placeholder_token", "<saved>", "--resolution", "768"));
        Map<String, String> initial = new FormDefaults(root, Map.of("--resolution", "640")).initial(COMMAND_LINE);
        assertEquals("300", initial.get("--max_train_steps"));
        assertEquals("<saved>", initial.get("--placeholder_token"));
        assertEquals("640", initial.get("--resolution"));
        assertTrue(Files.readString(SavedAnswers.file(root)).contains("\"--max_train_steps\" : \"300\""));
        assertEquals(dir.resolve("configs/neologism-ti.json"), SavedAnswers.file(root));
    }

    @Test
    void resumeIsOfferedOnlyWhenTheOutputFolderHoldsCheckpoints() throws Exception {
        Path output = Files.createDirectories(dir.resolve("out"));
        assertFalse(TrainingForm.hasCheckpoints(output.toString()));
        Files.createDirectories(output.resolve("logs"));
        Files.writeString(output.resolve("checkpoint-3.txt"), "not a folder");
        assertFalse(TrainingForm.hasCheckpoints(output.toString()));
        Files.createDirectories(output.resolve("checkpoint-500"));
        assertTrue(TrainingForm.hasCheckpoints(output.toString()));
        assertFalse(TrainingForm.hasCheckpoints(dir.resolve("missing").toString()));
        assertFalse(TrainingForm.hasCheckpoints(""));
    }
}

package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.training.TrainingRequest;

/** --resume_from_checkpoint: the run that wrote last, past damaged checkpoints, and named ones that are missing. */
class ResumePointTest {

    @TempDir
    Path output;

    private final List<String> notices = new ArrayList<>();

    private static Checkpoint checkpoint(long step, String runId) {
        float[] values = {step, 0.5f, -0.25f, 1e-7f, 2f, 3f};
        return new Checkpoint(step, 1234L, "<cat-toy>", 2, 3, values, new float[] {1, 2, 3, 4, 5, 6},
                new float[] {6, 5, 4, 3, 2, 1}, "data", "model", TrainingRequest.defaults("<cat-toy>"), runId);
    }

    @Test
    void latestFallsBackPastATruncatedOptimizerFileAndSaysSo() throws IOException {
        checkpoint(2, "run-a").save(output);
        checkpoint(4, "run-a").save(output);
        Path optimizer = output.resolve("checkpoint-4/optimizer.safetensors");
        try (FileChannel file = FileChannel.open(optimizer, StandardOpenOption.WRITE)) {
            file.truncate(file.size() / 2);
        }
        Optional<Checkpoint> resumed = ResumePoint.find(output, "latest", notices::add);
        assertEquals(2, resumed.orElseThrow().step());
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).startsWith("Damaged checkpoint in " + output + ": checkpoint-4 (" + optimizer),
                notices.get(0));
        assertTrue(notices.get(0).endsWith("). Resuming from checkpoint-2, the newest intact checkpoint."), notices.get(0));
    }

    @Test
    void latestFallsBackPastABadStateFile() throws IOException {
        checkpoint(2, "run-a").save(output);
        checkpoint(4, "run-a").save(output);
        Path state = output.resolve("checkpoint-4/trainer_state.json");
        Files.writeString(state, "{\"formatVersion\": 1, \"step\": 4, \"se");
        assertEquals(2, ResumePoint.find(output, "latest", notices::add).orElseThrow().step());
        assertTrue(notices.get(0).startsWith("Damaged checkpoint in " + output + ": checkpoint-4 (" + state
                + " is not valid checkpoint state ("), notices.get(0));
    }

    @Test
    void whenEveryCheckpointIsDamagedTheRefusalNamesThemAndTheWayOut() throws IOException {
        checkpoint(2, "run-a").save(output);
        Files.writeString(output.resolve("checkpoint-2/trainer_state.json"), "not json");
        IOException refused = assertThrows(IOException.class, () -> ResumePoint.find(output, "latest", notices::add));
        assertTrue(refused.getMessage().startsWith("No intact checkpoint to resume from in " + output
                + ": damaged: checkpoint-2 ("), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("Start over with --overwrite_output_dir (the old files are moved aside),"
                + " or pass another --output_dir."), refused.getMessage());
    }

    /** A run that started over in a folder of an older one: latest continues the newer run, not the higher step. */
    @Test
    void latestContinuesTheRunThatWroteLastAndPassesOverAnotherRunsCheckpoints() throws Exception {
        checkpoint(20, "old-run").save(output);
        Thread.sleep(5);
        checkpoint(4, "new-run").save(output);
        Thread.sleep(5);
        checkpoint(12, "new-run").save(output);
        Checkpoint resumed = ResumePoint.find(output, "latest", notices::add).orElseThrow();
        assertEquals(12, resumed.step());
        assertEquals("new-run", resumed.runId());
        assertEquals(List.of("Passing over checkpoint-20 in " + output + ": it belongs to another run than the"
                + " checkpoint written last."), notices);
    }

    @Test
    void aNamedCheckpointThatDoesNotExistSaysSoAndListsTheOnesThatDo() throws IOException {
        checkpoint(2, "run-a").save(output);
        checkpoint(4, "run-a").save(output);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ResumePoint.find(output, "checkpoint-999", notices::add));
        assertEquals("--resume_from_checkpoint checkpoint-999: there is no checkpoint " + output.resolve("checkpoint-999")
                + "; " + output + " has checkpoint-2, checkpoint-4. Pass one of them, or --resume_from_checkpoint latest.",
                missing.getMessage());
        assertEquals(4, ResumePoint.find(output, "checkpoint-4", notices::add).orElseThrow().step());
    }

    @Test
    void latestInAFolderWithoutCheckpointsStartsANewRun() throws IOException {
        assertEquals(Optional.empty(), ResumePoint.find(output, "latest", notices::add));
    }
}

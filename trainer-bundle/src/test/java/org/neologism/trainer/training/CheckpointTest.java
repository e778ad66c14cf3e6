package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.training.TrainingRequest;

class CheckpointTest {

    @TempDir
    Path output;

    private static Checkpoint checkpoint(long step) {
        float[] values = {step, 0.5f, -0.25f, 1e-7f, 2f, 3f};
        return new Checkpoint(step, 1234L, "<cat-toy>", 2, 3, values, new float[] {1, 2, 3, 4, 5, 6},
                new float[] {6, 5, 4, 3, 2, 1}, "data-fingerprint", "model-fingerprint", TrainingRequest.defaults("<cat-toy>"));
    }

    @Test
    void aCheckpointReadsBackExactly() throws IOException {
        Path folder = checkpoint(500).save(output);
        assertEquals(output.resolve("checkpoint-500"), folder);
        Checkpoint loaded = Checkpoint.load(folder);
        assertEquals(500, loaded.step());
        assertEquals(1234L, loaded.seed());
        assertEquals("<cat-toy>", loaded.trigger());
        assertArrayEquals(checkpoint(500).vectors(), loaded.vectors());
        assertArrayEquals(checkpoint(500).firstMoment(), loaded.firstMoment());
        assertArrayEquals(checkpoint(500).secondMoment(), loaded.secondMoment());
        assertEquals("data-fingerprint", loaded.datasetFingerprint());
        assertEquals(TrainingRequest.defaults("<cat-toy>"), loaded.request());
    }

    @Test
    void latestIsTheHighestCompleteStepAndPartialFoldersAreIgnored() throws IOException {
        checkpoint(500).save(output);
        checkpoint(1500).save(output);
        checkpoint(1000).save(output);
        Files.createDirectories(output.resolve(".checkpoint-2000.partial"));
        Files.createDirectories(output.resolve("checkpoint-2500"));
        assertEquals(Optional.of(output.resolve("checkpoint-1500")), Checkpoint.latest(output));
    }

    @Test
    void pruningKeepsTheNewest() throws IOException {
        for (long step : new long[] {100, 200, 300, 400}) {
            checkpoint(step).save(output);
        }
        Checkpoint.prune(output, 2);
        assertEquals(List.of(output.resolve("checkpoint-300"), output.resolve("checkpoint-400")), Checkpoint.list(output));
    }

    @Test
    void aFolderThatIsNoCheckpointIsRefusedNamingTheFlag() throws IOException {
        IOException error = assertThrows(IOException.class, () -> Checkpoint.load(Files.createDirectories(output.resolve("x"))));
        assertTrue(error.getMessage().contains("--resume_from_checkpoint"), error.getMessage());
    }

    @Test
    void noCheckpointsMeansNoLatest() throws IOException {
        assertFalse(Checkpoint.latest(output.resolve("missing")).isPresent());
    }

    @Test
    void datasetFingerprintsFollowContentAndPreprocessing() throws IOException {
        Path images = Files.createDirectories(output.resolve("images"));
        Files.write(images.resolve("a.png"), new byte[] {1, 2, 3});
        String first = RunFingerprint.ofDataset(images, 512, false);
        assertEquals(first, RunFingerprint.ofDataset(images, 512, false));
        assertNotEquals(first, RunFingerprint.ofDataset(images, 768, false));
        Files.write(images.resolve("a.png"), new byte[] {1, 2, 4});
        assertNotEquals(first, RunFingerprint.ofDataset(images, 512, false));
    }
}

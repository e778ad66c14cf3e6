package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in the built distribution, as a user runs it: the demo end to end, a run killed and resumed
 * that ends bit for bit where an uninterrupted one ends, and the refusals a user can provoke.
 */
class TrainingIT {

    private static final String TRIGGER = "<it-toy>";

    @TempDir
    static Path shared;

    @TempDir
    Path home;

    @TempDir
    Path work;

    /** The demo's tiny model and images, generated once for every test of this class. */
    private static Path root;

    @BeforeAll
    static void runTheDemo() throws Exception {
        root = shared.resolve("root");
        Path demoHome = Files.createDirectories(shared.resolve("home"));
        Distribution.Run demo = new Distribution(demoHome).run(300, "--run", "ti:demo --root " + root + " --steps 6");
        assertEquals(0, demo.exitCode(), demo.out() + demo.err());
        try (Stream<Path> files = Files.list(demoHome)) {
            assertEquals(List.of(), files.toList(), "the demo wrote into the user's home");
        }
    }

    private static Path model() {
        return root.resolve("models/neologism-demo-tiny-sd1");
    }

    private static Path images() {
        return root.resolve("text-inversion-training-data/neologism-toy");
    }

    private String train(Path output, int steps, String... extra) {
        return "ti:train --wait --root " + root + " --model " + model() + " --placeholder_token '" + TRIGGER + "'"
                + " --train_data_dir " + images() + " --output_dir " + output + " --resolution 32 --train_batch_size 2"
                + " --max_train_steps " + steps + " --checkpointing_steps 2 --save_steps 4 --learning_rate 5e-3"
                + " --no-scale_lr --seed 11 " + String.join(" ", extra);
    }

    @Test
    void theDemoLeavesInvokeAiTisFilesAndInstallsTheEmbedding() throws IOException {
        Path output = root.resolve("text-inversion-output/neologism-toy");
        for (String file : List.of("learned_embeds.bin", "learned_embeds.safetensors", "loss.csv", "loss.png",
                "checkpoint-6", "learned_embeds-steps-6.bin", "logs")) {
            assertTrue(Files.exists(output.resolve(file)), file + " is missing from " + output);
        }
        assertEquals(7, Files.readAllLines(output.resolve("loss.csv")).size(), "a header and one row per step");
        assertTrue(Files.isRegularFile(root.resolve("embeddings/neologism-toy/learned_embeds.bin")));
    }

    /** Long enough that the kill after checkpoint-6 lands well before the run would end. */
    private static final int STEPS = 30;

    @Test
    void aKilledRunResumedFromItsLatestCheckpointEndsBitForBitLikeAnUninterruptedOne() throws Exception {
        Path straight = work.resolve("straight");
        Distribution distribution = new Distribution(home);
        Distribution.Run uninterrupted = distribution.run(300, "--run", train(straight, STEPS));
        assertEquals(0, uninterrupted.exitCode(), uninterrupted.out() + uninterrupted.err());

        Path killed = work.resolve("killed");
        Process process = distribution.start(work.resolve("out.txt"), work.resolve("err.txt"), "--run", train(killed, STEPS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.isDirectory(killed.resolve("checkpoint-6")) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        process.destroyForcibly().waitFor();
        assertTrue(Files.isDirectory(killed.resolve("checkpoint-6")), "no checkpoint-6 before the kill");
        assertFalse(Files.exists(killed.resolve("learned_embeds.safetensors")), "the run finished before it was killed");

        Distribution.Run resumed = distribution.run(300, "--run", train(killed, STEPS, "--resume_from_checkpoint latest"));
        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("Resuming from"), resumed.out());
        assertArrayEquals(Files.readAllBytes(straight.resolve("learned_embeds.safetensors")),
                Files.readAllBytes(killed.resolve("learned_embeds.safetensors")));
        assertEquals(Files.readAllLines(straight.resolve("loss.csv")).stream().map(TrainingIT::withoutSeconds).toList(),
                Files.readAllLines(killed.resolve("loss.csv")).stream().map(TrainingIT::withoutSeconds).toList());
    }

    private static String withoutSeconds(String row) {
        return row.substring(0, row.lastIndexOf(','));
    }

    @Test
    void resumingOnOtherImagesIsRefused() throws Exception {
        Path output = work.resolve("run");
        Distribution distribution = new Distribution(home);
        assertEquals(0, distribution.run(300, "--run", train(output, 2)).exitCode());
        Path otherImages = Files.createDirectories(work.resolve("other"));
        Files.copy(images().resolve("toy-0.png"), otherImages.resolve("toy-0.png"));
        String command = train(output, 4, "--resume_from_checkpoint latest").replace(images().toString(), otherImages.toString());
        Distribution.Run refused = distribution.run(300, "--run", command);
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("it was trained on other images"), refused.err());
    }

    @Test
    void bf16IsRefusedWithTheReason() throws Exception {
        Distribution.Run run = new Distribution(home).run("--run", train(work.resolve("bf16"), 2, "--mixed_precision bf16"));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("--mixed_precision=bf16 is not supported"), run.err());
    }

    @Test
    void anInitializerOfSeveralTokensIsRefusedWithDiffusersMessage() throws Exception {
        Distribution.Run run = new Distribution(home).run(300, "--run",
                train(work.resolve("init"), 2, "--initializer_token 'a photo'"));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("The initializer token must be a single token."), run.err());
    }

    @Test
    void aDivergingRunStopsAndKeepsTheLastGoodEmbedding() throws Exception {
        Path output = work.resolve("nan");
        Distribution.Run run = new Distribution(home).run(300, "--run",
                train(output, 6).replace("--learning_rate 5e-3", "--learning_rate 1e30"));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("training stopped and kept the embedding of step"), run.err());
        try (Stream<Path> files = Files.list(output)) {
            assertTrue(files.anyMatch(file -> file.getFileName().toString().matches("learned_embeds-steps-\\d+\\.bin")),
                    "the last good embedding was not kept");
        }
        assertFalse(Files.exists(output.resolve("learned_embeds.bin")), "a diverged run has no final result");
    }

    /** Issue 11 (4): without --wait, --run still trains to the end instead of exiting after "Job 1 queued". */
    @Test
    void aRunWithoutWaitTrainsToTheEndBeforeTheProcessExits() throws Exception {
        Path output = work.resolve("nowait");
        Distribution.Run run = new Distribution(home).run(300, "--run", train(output, 4).replace("--wait ", ""));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("Job 1 queued") && run.out().contains("Waiting for job 1 (" + TRIGGER + ") to end"),
                run.out());
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds.bin")));
        assertEquals(5, Files.readAllLines(output.resolve("loss.csv")).size(), "all 4 steps were trained");
    }

    /**
     * Issue 11 (1, 2): a second run into a folder another process trains into is refused naming it; once
     * that process is killed, the folder is taken over by a resume, and a new run on its files is refused
     * unless --overwrite_output_dir moves them aside.
     */
    @Test
    void aSecondRunIntoABusyFolderIsRefusedAndAKilledHoldersFolderIsTakenOver() throws Exception {
        Distribution distribution = new Distribution(home);
        Path output = work.resolve("shared");
        Process first = distribution.start(work.resolve("first-out.txt"), work.resolve("first-err.txt"), "--run",
                train(output, 100 * STEPS));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!Files.isDirectory(output.resolve("checkpoint-2")) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(first.isAlive(), "the first run ended before the second one started");
            Distribution.Run second = distribution.run(300, "--run", train(output, STEPS));
            assertEquals(1, second.exitCode(), second.out() + second.err());
            assertTrue(second.err().contains("The output folder " + output + " is in use by another training run (pid "
                    + first.pid() + ", since "), second.err());
            assertTrue(second.err().contains("Wait for that run to end (or stop it), or pass another --output_dir."),
                    second.err());
        } finally {
            first.destroyForcibly().waitFor();
        }
        Distribution.Run fresh = distribution.run(300, "--run", train(output, STEPS));
        assertEquals(1, fresh.exitCode(), fresh.out() + fresh.err());
        assertTrue(fresh.err().contains("The output folder " + output + " holds another run's files (")
                && fresh.err().contains("Continue that run with --resume_from_checkpoint latest"), fresh.err());
        assertTrue(fresh.out().contains("Took over the output folder " + output + " from a run that ended without"
                + " releasing it (pid " + first.pid()), "the killed run's lock is taken over: " + fresh.out());

        int resumeTo;
        try (Stream<Path> checkpoints = Files.list(output)) {
            resumeTo = 2 + checkpoints.map(path -> path.getFileName().toString()).filter(name -> name.matches("checkpoint-\\d+"))
                    .mapToInt(name -> Integer.parseInt(name.substring("checkpoint-".length()))).max().orElseThrow();
        }
        Distribution.Run resumed = distribution.run(300, "--run", train(output, resumeTo, "--resume_from_checkpoint latest"));
        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertFalse(resumed.out().contains("Took over"), "a refused run releases the folder cleanly: " + resumed.out());

        Distribution.Run overwritten = distribution.run(300, "--run", train(output, 2, "--overwrite_output_dir"));
        assertEquals(0, overwritten.exitCode(), overwritten.out() + overwritten.err());
        assertTrue(overwritten.out().contains("--overwrite_output_dir: moved the previous run's files ("), overwritten.out());
        assertEquals(3, Files.readAllLines(output.resolve("loss.csv")).size(), "the new run's loss.csv has its 2 steps only");
        try (Stream<Path> siblings = Files.list(work)) {
            Path aside = siblings.filter(path -> path.getFileName().toString().startsWith("shared.old-")).findFirst()
                    .orElseThrow(() -> new AssertionError("the old outputs were not moved aside"));
            assertEquals(resumeTo + 1, Files.readAllLines(aside.resolve("loss.csv")).size(), "the resumed run's steps are kept");
        }
    }

    /** Issue 11 (3): probe, <probe and <probe> share a folder; training one never replaces another's embedding. */
    @Test
    void trainingATriggerNeverReplacesTheEmbeddingOfAnotherTriggerWithTheSameFolder() throws Exception {
        Distribution distribution = new Distribution(home);
        Path probeRoot = work.resolve("probe-root");
        String first = train(work.resolve("angled"), 2).replace("--root " + root, "--root " + probeRoot)
                .replace("'" + TRIGGER + "'", "'<probe>'");
        assertEquals(0, distribution.run(300, "--run", first).exitCode());
        Path installed = probeRoot.resolve("embeddings/probe/learned_embeds.bin");
        byte[] before = Files.readAllBytes(installed);

        Path bare = work.resolve("bare");
        Distribution.Run second = distribution.run(300, "--run", train(bare, 2).replace("--root " + root, "--root " + probeRoot)
                .replace("'" + TRIGGER + "'", "probe"));
        assertEquals(1, second.exitCode(), second.out() + second.err());
        assertTrue(second.err().contains("Not installed: " + installed + " holds the embedding of <probe>, a different"
                + " trigger than probe that uses the same folder. Remove it first (ti:remove '<probe>'), or train under"
                + " another --placeholder_token. The trained embedding is safe in " + bare.resolve("learned_embeds.bin")),
                second.err());
        assertArrayEquals(before, Files.readAllBytes(installed), "the installed embedding of <probe> was replaced");
        assertTrue(Files.isRegularFile(bare.resolve("learned_embeds.bin")));

        Distribution.Run retrained = distribution.run(300, "--run", train(work.resolve("again"), 2)
                .replace("--root " + root, "--root " + probeRoot).replace("'" + TRIGGER + "'", "'<probe>'"));
        assertEquals(0, retrained.exitCode(), "retraining the same trigger replaces its own embedding: " + retrained.err());
    }
}

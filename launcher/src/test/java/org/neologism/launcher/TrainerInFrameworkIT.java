package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * A real training job in a running framework while the bundle that provides its learning-rate
 * schedule is updated, uninstalled and reinstalled: no step is lost or repeated, the job pauses and
 * says which schedule it waits for, and it finishes. And {@code ti:stop} on a running job.
 */
class TrainerInFrameworkIT {

    @TempDir
    static Path temp;

    private static PlainFelix felix;
    private static Path root;

    @BeforeAll
    static void startWithTheDemoModel() throws Exception {
        felix = PlainFelix.start(temp.resolve("felix"));
        root = temp.resolve("root");
        PlainFelix.Output demo = felix.gogo("ti:demo --root " + root + " --steps 2");
        assertEquals(0, demo.exitCode(), demo.out() + demo.err());
    }

    @AfterAll
    static void stop() throws Exception {
        felix.close();
    }

    private static String train(Path output, int steps, String scheduler) {
        return "ti:train --root " + root + " --model " + root.resolve("models/neologism-demo-tiny-sd1")
                + " --placeholder_token '<swap-toy>' --train_data_dir " + root.resolve("text-inversion-training-data/neologism-toy")
                + " --output_dir " + output + " --resolution 32 --train_batch_size 1 --max_train_steps " + steps
                + " --lr_scheduler " + scheduler + " --lr_warmup_steps 0 --learning_rate 1e-3 --no-scale_lr --seed 3"
                + " --checkpointing_steps 5 --save_steps 1000";
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(25);
        }
    }

    private static long stepsLogged(Path output) {
        try {
            return Math.max(0, PlainFelix.lines(output.resolve("loss.csv")).size() - 1);
        } catch (Exception e) {
            return 0;
        }
    }

    private static String status(long job) {
        try {
            return felix.gogo("ti:status " + job).out();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRunningJobSurvivesItsScheduleBundleBeingUpdatedRemovedAndReinstalled() throws Exception {
        Path output = temp.resolve("swap");
        int steps = 60;
        PlainFelix.Output submitted = felix.gogo(train(output, steps, "linear"));
        assertEquals(0, submitted.exitCode(), submitted.err());
        long job = Long.parseLong(submitted.out().replaceAll("(?s).*Job (\\d+) queued.*", "$1"));

        Bundle schedules = felix.bundle("org.neologism.schedulers");
        String location = schedules.getLocation();
        await("a few steps are done", () -> stepsLogged(output) >= 5);
        schedules.update();
        await("more steps are done after the update", () -> stepsLogged(output) >= 15);
        schedules.uninstall();
        await("the job pauses for its schedule", () -> status(job).contains(" PAUSED ")
                && status(job).contains("waits for learning-rate schedule linear"));
        long pausedAt = stepsLogged(output);
        Thread.sleep(500);
        assertEquals(pausedAt, stepsLogged(output), "steps went on without a schedule");
        felix.context().installBundle(location).start();
        await("the job completes", () -> status(job).contains("COMPLETED"));

        List<String> rows = PlainFelix.lines(output.resolve("loss.csv"));
        assertEquals(steps + 1, rows.size(), "one row per step: " + rows);
        for (int step = 1; step <= steps; step++) {
            String[] fields = rows.get(step).split(",");
            assertEquals(step, Integer.parseInt(fields[0]), "step order");
            double expectedLr = 1e-3 * (steps - (step - 1)) / (double) steps;
            assertEquals(expectedLr, Double.parseDouble(fields[2]), 1e-9, "linear lr at step " + step);
        }
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds.bin")));
    }

    @Test
    void stoppingARunningJobWritesACheckpointFirst() throws Exception {
        Path output = temp.resolve("stop");
        PlainFelix.Output submitted = felix.gogo(train(output, 100_000, "constant"));
        assertEquals(0, submitted.exitCode(), submitted.err());
        long job = Long.parseLong(submitted.out().replaceAll("(?s).*Job (\\d+) queued.*", "$1"));
        await("the job runs", () -> stepsLogged(output) >= 3);
        PlainFelix.Output second = felix.gogo(train(temp.resolve("queued"), 100_000, "constant"));
        long queued = Long.parseLong(second.out().replaceAll("(?s).*Job (\\d+) queued.*", "$1"));
        assertTrue(status(queued).contains("QUEUED"), "one job trains at a time: " + status(queued));
        assertEquals(0, felix.gogo("ti:stop " + queued).exitCode());
        assertEquals(0, felix.gogo("ti:stop " + job).exitCode());
        await("the job stops", () -> status(job).contains("STOPPED"));
        String stopped = status(job);
        assertTrue(stopped.contains("Resume with --resume_from_checkpoint latest"), stopped);
        long step = Long.parseLong(stopped.replaceAll("(?s).*Stopped at step (\\d+).*", "$1"));
        assertTrue(Files.isDirectory(output.resolve("checkpoint-" + step)), "no checkpoint-" + step + ": " + stopped);
        assertFalse(Files.exists(output.resolve("learned_embeds.bin")), "a stopped run's embedding looks like a result");
        await("the queued job is removed", () -> status(queued).contains("STOPPED"));
        assertTrue(status(queued).contains("Removed from the queue"), status(queued));
    }
}

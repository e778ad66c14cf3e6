package org.neologism.schedules.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * A consumer steps through {@code linear} while the bundle providing it is updated to a version whose
 * {@code linear} is halved, then uninstalled, then installed again. Every step is computed exactly once,
 * in order, each by whichever implementation was registered at that moment.
 */
class HotSwapTest {

    private static final long WARMUP = 0;
    private static final long TOTAL = 1_000_000;
    private static final int STEPS = 1500;
    private static final double LR = 1e-4;

    /** Which implementation gave a step's multiplier. */
    enum Source { ORIGINAL, HALVED }

    record Step(long step, double multiplier) {}

    @TempDir
    Path temp;

    @Test
    void aConsumerLosesNoStepWhileItsScheduleIsUpdatedRemovedAndReinstalled() throws Exception {
        Path variant = VariantBundle.write(Files.createDirectories(temp.resolve("variant")));
        try (RunningFramework framework = RunningFramework.start(temp.resolve("felix"))) {
            List<Step> steps = new CopyOnWriteArrayList<>();
            List<String> notices = new CopyOnWriteArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            FollowedSchedule linear = FollowedSchedule.follow(framework, "linear", WARMUP, TOTAL, LR, Map.of(), notices::add);
            Thread consumer = new Thread(() -> {
                try {
                    for (long step = 0; step < STEPS; step++) {
                        steps.add(new Step(step, linear.multiplier(step)));
                        Thread.sleep(1);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "schedule-consumer");
            consumer.start();

            await("200 steps with the original bundle", () -> steps.size() >= 200);
            Bundle schedules = framework.bundle("org.neologism.schedulers");
            try (InputStream jar = Files.newInputStream(variant)) {
                schedules.update(jar);
            }
            assertEquals(VariantBundle.VERSION, schedules.getVersion().toString());
            await("a step from the updated bundle", () -> source(last(steps)) == Source.HALVED);
            await("100 more steps after the update", () -> stepsFrom(steps, Source.HALVED) >= 100);

            schedules.uninstall();
            await("the consumer to say what it waits for",
                    () -> notices.stream().anyMatch(notice -> notice.contains("waits for learning-rate schedule linear")));
            int pausedAt = steps.size();
            Thread.sleep(500);
            assertEquals(pausedAt, steps.size(), "no step may run while no bundle provides linear");
            assertTrue(notices.stream().anyMatch(notice -> notice.startsWith("Step " + pausedAt + " waits")
                    && notice.contains("last provided by org.neologism.schedulers " + VariantBundle.VERSION)), notices.toString());

            framework.install(RunningFramework.jar("framework.bundles", "org.neologism.schedulers"));
            consumer.join(TimeUnit.SECONDS.toMillis(60));
            linear.close();
            assertTrue(failures.isEmpty(), () -> "the consumer failed: " + failures);
            assertEquals(List.of(), framework.errors());

            // No gap, no repeat: steps 0..STEPS-1, in order, once each.
            assertEquals(STEPS, steps.size());
            for (int i = 0; i < STEPS; i++) {
                assertEquals(i, steps.get(i).step());
            }
            // Original, then halved from some step on, then original again from the step that paused.
            List<Source> sources = new ArrayList<>();
            steps.forEach(step -> sources.add(source(step)));
            int firstHalved = sources.indexOf(Source.HALVED);
            int lastHalved = sources.lastIndexOf(Source.HALVED);
            assertTrue(firstHalved >= 200, "the update took effect at step " + firstHalved);
            assertEquals(pausedAt, lastHalved + 1, "the reinstalled bundle serves the step that waited");
            for (int i = 0; i < STEPS; i++) {
                Source expected = i < firstHalved || i > lastHalved ? Source.ORIGINAL : Source.HALVED;
                assertEquals(expected, sources.get(i), "step " + i);
            }
            assertTrue(notices.stream().anyMatch(notice -> notice.contains("now comes from org.neologism.schedulers 0.1.0.SNAPSHOT")
                    && notice.endsWith("from step " + pausedAt + " on")), notices.toString());
        }
    }

    private static Step last(List<Step> steps) {
        return steps.get(steps.size() - 1);
    }

    private static long stepsFrom(List<Step> steps, Source source) {
        return steps.stream().filter(step -> source(step) == source).count();
    }

    /** linear with W = 0 is {@code (T - s) / T}, never 0 within the run, so the halved one is told apart. */
    static Source source(Step step) {
        double linear = (double) (TOTAL - step.step()) / (double) TOTAL;
        if (step.multiplier() == linear) {
            return Source.ORIGINAL;
        }
        if (step.multiplier() == 0.5 * linear) {
            return Source.HALVED;
        }
        throw new AssertionError("step " + step.step() + " has multiplier " + step.multiplier()
                + ", neither linear " + linear + " nor the halved variant");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}

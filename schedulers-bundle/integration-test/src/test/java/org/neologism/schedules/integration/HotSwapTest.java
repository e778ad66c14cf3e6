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
import org.neologism.schedules.integration.SteppingConsumer.Step;
import org.osgi.framework.Bundle;

/**
 * A consumer steps through {@code linear} while the bundles providing it change under it. Every step
 * is computed exactly once, in order, each by whichever implementation was registered at that moment.
 */
class HotSwapTest {

    private static final long WARMUP = 0;
    private static final long TOTAL = 1_000_000;
    private static final double LR = 1e-4;

    /** Which implementation gave a step's multiplier. */
    enum Source { OURS, HALVED }

    @TempDir
    Path temp;

    @Test
    void aConsumerLosesNoStepWhileItsScheduleIsUpdatedRemovedAndReinstalled() throws Exception {
        Path variant = VariantBundle.write(Files.createDirectories(temp.resolve("variant")));
        try (RunningFramework framework = RunningFramework.start(temp.resolve("felix"))) {
            List<String> notices = new CopyOnWriteArrayList<>();
            FollowedSchedule linear = FollowedSchedule.follow(framework, "linear", WARMUP, TOTAL, LR, Map.of(), notices::add);
            SteppingConsumer consumer = SteppingConsumer.start(linear, 1500);

            await("200 steps with the original bundle", () -> consumer.steps().size() >= 200);
            Bundle schedules = framework.bundle("org.neologism.schedulers");
            try (InputStream jar = Files.newInputStream(variant)) {
                schedules.update(jar);
            }
            assertEquals(VariantBundle.VERSION, schedules.getVersion().toString());
            await("100 steps from the updated bundle", () -> count(consumer.steps(), Source.HALVED) >= 100);

            schedules.uninstall();
            await("the consumer to say what it waits for", () -> anyContains(notices, "waits for learning-rate schedule linear"));
            int pausedAt = consumer.steps().size();
            Thread.sleep(500);
            assertEquals(pausedAt, consumer.steps().size(), "no step may run while no bundle provides linear");
            assertTrue(notices.stream().anyMatch(notice -> notice.startsWith("Step " + pausedAt + " waits")
                    && notice.contains("last provided by org.neologism.schedulers " + VariantBundle.VERSION)), notices.toString());

            framework.install(RunningFramework.jar("framework.bundles", "org.neologism.schedulers"));
            List<Step> steps = consumer.finish();
            linear.close();
            notices.forEach(notice -> System.out.println("notice: " + notice));

            List<Source> sources = sourcesOfSteps0To(1500, steps);
            int firstHalved = sources.indexOf(Source.HALVED);
            int lastHalved = sources.lastIndexOf(Source.HALVED);
            System.out.printf("update took effect at step %d, the step that waited was %d%n", firstHalved, pausedAt);
            assertTrue(firstHalved >= 200, "the update took effect at step " + firstHalved);
            assertEquals(pausedAt, lastHalved + 1, "the reinstalled bundle serves the step that waited");
            assertOursThenHalvedThenOurs(sources, firstHalved, lastHalved);
            assertTrue(notices.stream().anyMatch(notice -> notice.contains("now comes from org.neologism.schedulers 0.1.0.SNAPSHOT")
                    && notice.endsWith("from step " + pausedAt + " on")), notices.toString());
            assertEquals(List.of(), framework.errors());
        }
    }

    @Test
    void aHigherRankedProviderTakesOverAtTheNextStepAndStoppingItHandsBackWithoutAPause() throws Exception {
        Path replacement = VariantBundle.write(Files.createDirectories(temp.resolve("replacement")),
                "org.example.halved.linear", "1.0.0", "linear", 10);
        try (RunningFramework framework = RunningFramework.start(temp.resolve("felix"))) {
            List<String> notices = new CopyOnWriteArrayList<>();
            FollowedSchedule linear = FollowedSchedule.follow(framework, "linear", WARMUP, TOTAL, LR, Map.of(), notices::add);
            SteppingConsumer consumer = SteppingConsumer.start(linear, 800);

            await("100 steps with our bundle", () -> consumer.steps().size() >= 100);
            Bundle theirs = framework.install(replacement);
            await("100 steps from the replacement", () -> count(consumer.steps(), Source.HALVED) >= 100);
            theirs.stop();
            await("a step from our bundle again", () -> source(consumer.last()) == Source.OURS);
            assertTrue(notices.stream().noneMatch(notice -> notice.contains("waits")), notices.toString());

            Bundle ours = framework.bundle("org.neologism.schedulers");
            ours.stop();
            await("the consumer to pause", () -> anyContains(notices, "waits for learning-rate schedule linear"));
            int pausedAt = consumer.steps().size();
            Thread.sleep(300);
            assertEquals(pausedAt, consumer.steps().size(), "no step may run while no bundle provides linear");
            ours.start();
            List<Step> steps = consumer.finish();
            linear.close();
            notices.forEach(notice -> System.out.println("notice: " + notice));

            List<Source> sources = sourcesOfSteps0To(800, steps);
            int firstHalved = sources.indexOf(Source.HALVED);
            int lastHalved = sources.lastIndexOf(Source.HALVED);
            assertTrue(firstHalved >= 100 && lastHalved >= firstHalved + 99 && lastHalved < pausedAt,
                    "halved from " + firstHalved + " to " + lastHalved + ", paused at " + pausedAt);
            assertOursThenHalvedThenOurs(sources, firstHalved, lastHalved);
            assertTrue(notices.contains("Learning-rate schedule linear now comes from org.example.halved.linear 1.0.0 (bundle "
                    + theirs.getBundleId() + "), from step " + firstHalved + " on"), notices.toString());
            assertEquals(List.of(), framework.errors());
        }
    }

    @Test
    void aHigherRankedProviderThatRefusesTheRunsParametersIsPassedOver() throws Exception {
        // The halved linear, registered as polynomial, declares no parameters: it refuses power=2.
        Path refusing = VariantBundle.write(Files.createDirectories(temp.resolve("refusing")),
                "org.example.refusing.polynomial", "1.0.0", "polynomial", 10);
        try (RunningFramework framework = RunningFramework.start(temp.resolve("felix"))) {
            List<String> notices = new CopyOnWriteArrayList<>();
            Map<String, String> power2 = Map.of("power", "2");
            FollowedSchedule polynomial = FollowedSchedule.follow(framework, "polynomial", 0, 1000, LR, power2, notices::add);
            SteppingConsumer consumer = SteppingConsumer.start(polynomial, 1000);
            await("10 steps", () -> consumer.steps().size() >= 10);
            Bundle theirs = framework.install(refusing);
            await("the refusal", () -> anyContains(notices, "refuses"));
            int stepsAtRefusal = consumer.steps().size();
            List<Step> steps = consumer.finish();
            polynomial.close();

            assertTrue(stepsAtRefusal < 1000, "the refusing provider arrived during the run");
            assertEquals(1000, steps.size());
            for (Step step : steps) {
                double remaining = 1.0 - step.step() / 1000.0;
                double expected = ((LR - 1e-7) * remaining * remaining + 1e-7) / LR;
                assertEquals(expected, step.multiplier(), 1e-15, "step " + step.step());
            }
            assertEquals(List.of("Learning-rate schedule polynomial from org.example.refusing.polynomial 1.0.0 (bundle "
                    + theirs.getBundleId() + ") refuses this run's settings and is not used: "
                    + "Schedule linear has no parameter power: it takes no parameters"), notices);

            // With ours gone, the refusing provider is all there is: the consumer waits and says why.
            List<String> later = new CopyOnWriteArrayList<>();
            FollowedSchedule again = FollowedSchedule.follow(framework, "polynomial", 0, 100, LR, power2, later::add);
            framework.bundle("org.neologism.schedulers").stop();
            SteppingConsumer waiting = SteppingConsumer.start(again, 5);
            await("the consumer to pause", () -> anyContains(later, "waits"));
            assertTrue(later.stream().anyMatch(notice -> notice.startsWith("Step 0 waits for learning-rate schedule polynomial: "
                    + "every registered provider refuses the settings (Schedule linear has no parameter power")), later.toString());
            framework.bundle("org.neologism.schedulers").start();
            assertEquals(5, waiting.finish().size());
            again.close();
            assertEquals(List.of(), framework.errors());
        }
    }

    /** No gap, no repeat: steps 0..total-1, in order, once each; and where each step's value came from. */
    private static List<Source> sourcesOfSteps0To(int total, List<Step> steps) {
        assertEquals(total, steps.size());
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            assertEquals(i, steps.get(i).step());
            sources.add(source(steps.get(i)));
        }
        return sources;
    }

    private static void assertOursThenHalvedThenOurs(List<Source> sources, int firstHalved, int lastHalved) {
        for (int i = 0; i < sources.size(); i++) {
            assertEquals(i < firstHalved || i > lastHalved ? Source.OURS : Source.HALVED, sources.get(i), "step " + i);
        }
    }

    private static long count(List<Step> steps, Source source) {
        return steps.stream().filter(step -> source(step) == source).count();
    }

    private static boolean anyContains(List<String> notices, String text) {
        return notices.stream().anyMatch(notice -> notice.contains(text));
    }

    /** linear with W = 0 is {@code (T - s) / T}, never 0 within the run, so the halved one is told apart. */
    static Source source(Step step) {
        double linear = (double) (TOTAL - step.step()) / (double) TOTAL;
        if (step.multiplier() == linear) {
            return Source.OURS;
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

package org.neologism.schedules.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.example.schedule.WarmupStableDecaySchedule;
import org.osgi.framework.Bundle;

/**
 * A bundle that is not ours adds {@code warmup_stable_decay} at run time: a consumer already waiting
 * for that name starts stepping, the shell lists it, and our schedules bundle is left alone.
 */
class ThirdPartyScheduleTest {

    @TempDir
    Path temp;

    @Test
    void aBundleInstalledAtRunTimeAddsAScheduleThatAWaitingConsumerThenUses() throws Exception {
        try (RunningFramework framework = RunningFramework.start(temp.resolve("felix"))) {
            GogoSession shell = new GogoSession(framework);
            assertFalse(shell.run("ti:schedulers").contains("warmup_stable_decay"));
            Bundle ours = framework.bundle("org.neologism.schedulers");
            long oursModified = ours.getLastModified();

            Map<String, String> parameters = Map.of("decay_fraction", "0.4", "min_ratio", "0.1");
            List<String> notices = new CopyOnWriteArrayList<>();
            FollowedSchedule wsd = FollowedSchedule.follow(framework, "warmup_stable_decay", 5, 50, 1e-4, parameters, notices::add);
            SteppingConsumer consumer = SteppingConsumer.start(wsd, 50);
            HotSwapTest.await("the consumer to wait for warmup_stable_decay",
                    () -> notices.stream().anyMatch(notice -> notice.startsWith("Step 0 waits for learning-rate schedule warmup_stable_decay")));
            assertTrue(consumer.steps().isEmpty());

            Bundle theirs = framework.install(RunningFramework.jar("added.bundles", "org.neologism.example.schedule"));
            List<SteppingConsumer.Step> steps = consumer.finish();
            wsd.close();

            WarmupStableDecaySchedule reference = new WarmupStableDecaySchedule();
            ScheduleSettings settings = new ScheduleSettings(5, 50, 1e-4, parameters);
            assertEquals(50, steps.size());
            for (int step = 0; step < 50; step++) {
                assertEquals(step, steps.get(step).step());
                assertEquals(reference.multiplier(step, settings), steps.get(step).multiplier(), "step " + step);
            }
            assertEquals(0.4, steps.get(2).multiplier());
            assertEquals(1.0, steps.get(29).multiplier());
            assertTrue(steps.get(49).multiplier() < 0.2);

            String listing = shell.run("ti:schedulers");
            assertTrue(listing.lines().anyMatch(line -> line.matches(
                    "warmup_stable_decay +from org\\.neologism\\.example\\.schedule " + theirs.getVersion() + " .*")), listing);
            assertTrue(listing.contains("decay_fraction=0.2"), listing);
            assertTrue(listing.contains("linear"), listing);
            assertEquals(Bundle.ACTIVE, ours.getState());
            assertEquals(oursModified, ours.getLastModified(), "our schedules bundle was not touched");
            assertEquals(List.of(), framework.errors());
        }
    }
}

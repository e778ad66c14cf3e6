package org.neologism.schedules.integration;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What a training loop does with a schedule: asks it for the multiplier of step 0, 1, 2, ... in order
 * on its own thread, about one step per millisecond, recording each answer.
 */
final class SteppingConsumer {

    record Step(long step, double multiplier) {}

    private final List<Step> steps = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private SteppingConsumer(FollowedSchedule schedule, int total) {
        thread = new Thread(() -> {
            try {
                for (long step = 0; step < total; step++) {
                    steps.add(new Step(step, schedule.multiplier(step)));
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "schedule-consumer");
    }

    static SteppingConsumer start(FollowedSchedule schedule, int total) {
        SteppingConsumer consumer = new SteppingConsumer(schedule, total);
        consumer.thread.start();
        return consumer;
    }

    /** The steps taken so far, in the order they were taken. */
    List<Step> steps() {
        return steps;
    }

    Step last() {
        return steps.get(steps.size() - 1);
    }

    /** Waits for the last step; rethrows what stopped the loop early. */
    List<Step> finish() throws InterruptedException {
        thread.join(TimeUnit.SECONDS.toMillis(60));
        if (thread.isAlive()) {
            throw new AssertionError("the consumer is still stepping after 60 s, at step " + steps.size());
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("the consumer failed", failures.get(0));
        }
        return List.copyOf(steps);
    }
}

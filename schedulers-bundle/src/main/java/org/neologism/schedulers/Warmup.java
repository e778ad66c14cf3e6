package org.neologism.schedulers;

import org.neologism.core.schedule.ScheduleSettings;

/** The linear warmup and the decay progress that diffusers' schedules share (diffusers/optimization.py). */
final class Warmup {

    private Warmup() {}

    /** {@code s < W}: the step lies in the warmup. */
    static boolean covers(long step, ScheduleSettings settings) {
        return step < settings.warmupSteps();
    }

    /** {@code s / max(1, W)}: the warmup ramp from 0 towards 1. */
    static double ramp(long step, ScheduleSettings settings) {
        return (double) step / (double) Math.max(1, settings.warmupSteps());
    }

    /** {@code p = (s - W) / max(1, T - W)}: how far the decay after warmup has come, 0 to 1. */
    static double decayProgress(long step, ScheduleSettings settings) {
        return (double) (step - settings.warmupSteps()) / (double) Math.max(1, settings.totalSteps() - settings.warmupSteps());
    }
}

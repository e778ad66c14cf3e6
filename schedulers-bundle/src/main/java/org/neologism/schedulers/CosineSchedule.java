package org.neologism.schedulers;

import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/**
 * {@code cosine}: warmup, then {@code max(0, 0.5 (1 + cos(pi * 0.5 * 2 * p)))}, half a cosine from 1
 * to 0. diffusers' {@code get_scheduler} never passes {@code num_cycles} to it, so the half cycle is
 * fixed and the schedule takes no parameter ({@code cosine_with_restarts} is the one with cycles).
 */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=cosine")
public class CosineSchedule implements LearningRateSchedule {

    /** diffusers' default {@code num_cycles} for {@code get_cosine_schedule_with_warmup}. */
    private static final double HALF_CYCLE = 0.5;

    @Override
    public String name() {
        return "cosine";
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        if (Warmup.covers(step, settings)) {
            return Warmup.ramp(step, settings);
        }
        double progress = Warmup.decayProgress(step, settings);
        return Math.max(0.0, 0.5 * (1.0 + StrictMath.cos(Math.PI * HALF_CYCLE * 2.0 * progress)));
    }
}

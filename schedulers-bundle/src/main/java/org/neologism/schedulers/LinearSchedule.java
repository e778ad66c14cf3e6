package org.neologism.schedulers;

import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/** {@code linear}: warmup, then {@code max(0, (T - s) / max(1, T - W))}. */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=linear")
public class LinearSchedule implements LearningRateSchedule {

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        if (Warmup.covers(step, settings)) {
            return Warmup.ramp(step, settings);
        }
        long total = settings.totalSteps();
        return Math.max(0.0, (double) (total - step) / (double) Math.max(1, total - settings.warmupSteps()));
    }
}

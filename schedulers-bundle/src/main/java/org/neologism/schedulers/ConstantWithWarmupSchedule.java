package org.neologism.schedulers;

import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/** {@code constant_with_warmup}: {@code s / max(1, W)} while {@code s < W}, then 1. */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=constant_with_warmup")
public class ConstantWithWarmupSchedule implements LearningRateSchedule {

    @Override
    public String name() {
        return "constant_with_warmup";
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        return Warmup.covers(step, settings) ? Warmup.ramp(step, settings) : 1.0;
    }
}

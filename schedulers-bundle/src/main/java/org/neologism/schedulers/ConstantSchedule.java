package org.neologism.schedulers;

import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/** {@code constant}: the base learning rate at every step. Like diffusers, it ignores warmup. */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=constant")
public class ConstantSchedule implements LearningRateSchedule {

    @Override
    public String name() {
        return "constant";
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        return 1.0;
    }
}

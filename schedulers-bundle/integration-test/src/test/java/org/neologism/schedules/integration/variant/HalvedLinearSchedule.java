package org.neologism.schedules.integration.variant;

import java.util.List;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleParameter;
import org.neologism.core.schedule.ScheduleSettings;

/**
 * A visibly different {@code linear} for the update test: half of {@code linear}'s multiplier. It is
 * packed with a hand-written component description into a second version of the schedules bundle.
 */
public class HalvedLinearSchedule implements LearningRateSchedule {

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public List<ScheduleParameter> parameters() {
        return List.of();
    }

    @Override
    public void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        long warmup = settings.warmupSteps();
        long total = settings.totalSteps();
        double linear = step < warmup ? (double) step / Math.max(1, warmup)
                : Math.max(0.0, (double) (total - step) / (double) Math.max(1, total - warmup));
        return 0.5 * linear;
    }
}

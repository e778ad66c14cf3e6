package org.neologism.schedulers;

import java.util.List;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleParameter;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/**
 * {@code cosine_with_restarts}: warmup, then {@code c} half cosines from 1 to 0, each restarting at 1:
 * {@code max(0, 0.5 (1 + cos(pi * ((c p) mod 1))))}, and 0 once {@code p >= 1}.
 */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=cosine_with_restarts")
public class CosineWithRestartsSchedule implements LearningRateSchedule {

    static final ScheduleParameter NUM_CYCLES = new ScheduleParameter("num_cycles", "1",
            "number of hard restarts (cosine cycles) after warmup, a whole number >= 1 (--lr_num_cycles)");

    @Override
    public String name() {
        return "cosine_with_restarts";
    }

    @Override
    public List<ScheduleParameter> parameters() {
        return List.of(NUM_CYCLES);
    }

    @Override
    public void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
        cycles(settings);
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        if (Warmup.covers(step, settings)) {
            return Warmup.ramp(step, settings);
        }
        double progress = Warmup.decayProgress(step, settings);
        if (progress >= 1.0) {
            return 0.0;
        }
        return Math.max(0.0, 0.5 * (1.0 + StrictMath.cos(Math.PI * ((cycles(settings) * progress) % 1.0))));
    }

    private static double cycles(ScheduleSettings settings) {
        long cycles = NUM_CYCLES.wholeNumberIn(settings);
        if (cycles < 1) {
            throw NUM_CYCLES.refused(Long.toString(cycles), "must be at least 1");
        }
        return cycles;
    }
}

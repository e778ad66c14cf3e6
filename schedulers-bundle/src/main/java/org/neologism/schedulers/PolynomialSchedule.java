package org.neologism.schedulers;

import java.util.List;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleParameter;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/**
 * {@code polynomial}: warmup, then a polynomial decay from the base rate {@code lr} to {@code lr_end}:
 * {@code ((lr - lr_end) (1 - (s - W) / (T - W))^power + lr_end) / lr}, and {@code lr_end / lr} past
 * {@code T}. diffusers' {@code get_scheduler} never passes {@code lr_end}, so its default 1e-7 is what
 * every diffusers run used.
 */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=polynomial")
public class PolynomialSchedule implements LearningRateSchedule {

    static final ScheduleParameter POWER = new ScheduleParameter("power", "1.0",
            "exponent of the decay: 1 is linear, larger falls faster at first");
    static final ScheduleParameter LR_END = new ScheduleParameter("lr_end", "1e-7",
            "learning rate reached at the last step, below the base learning rate");

    @Override
    public String name() {
        return "polynomial";
    }

    @Override
    public List<ScheduleParameter> parameters() {
        return List.of(POWER, LR_END);
    }

    @Override
    public void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
        power(settings);
        lrEnd(settings);
        if (settings.warmupSteps() >= settings.totalSteps()) {
            throw new IllegalArgumentException("Schedule polynomial decays after warmup, but warmup (" + settings.warmupSteps()
                    + " steps) leaves nothing of the " + settings.totalSteps() + " total steps: use fewer warmup steps");
        }
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        if (Warmup.covers(step, settings)) {
            return Warmup.ramp(step, settings);
        }
        double lr = settings.baseLearningRate();
        double lrEnd = lrEnd(settings);
        if (step > settings.totalSteps()) {
            return lrEnd / lr;
        }
        double decaySteps = settings.totalSteps() - settings.warmupSteps();
        double remaining = 1.0 - (step - settings.warmupSteps()) / decaySteps;
        return ((lr - lrEnd) * Math.pow(remaining, power(settings)) + lrEnd) / lr;
    }

    private static double power(ScheduleSettings settings) {
        double power = POWER.numberIn(settings);
        if (power <= 0) {
            throw POWER.refused(POWER.textIn(settings), "must be positive");
        }
        return power;
    }

    private static double lrEnd(ScheduleSettings settings) {
        double lrEnd = LR_END.numberIn(settings);
        if (lrEnd < 0) {
            throw LR_END.refused(LR_END.textIn(settings), "must not be negative");
        }
        if (!(lrEnd < settings.baseLearningRate())) {
            throw LR_END.refused(LR_END.textIn(settings),
                    "must be smaller than the base learning rate " + settings.baseLearningRate());
        }
        return lrEnd;
    }
}

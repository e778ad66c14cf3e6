package org.neologism.example.schedule;

import java.util.List;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleParameter;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/**
 * {@code warmup_stable_decay} (the "WSD" schedule of MiniCPM, Hu et al. 2024): a linear warmup
 * {@code s / max(1, W)}, then the full rate, then over the last {@code D = round(decay_fraction * T)}
 * steps a linear decay to {@code min_ratio}:
 * {@code min_ratio + (1 - min_ratio) * (1 - (s - S) / max(1, T - S))} with {@code S = max(W, T - D)}.
 */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=warmup_stable_decay")
public class WarmupStableDecaySchedule implements LearningRateSchedule {

    static final ScheduleParameter DECAY_FRACTION = new ScheduleParameter("decay_fraction", "0.2",
            "share of the total steps, at the end, spent decaying (0 < decay_fraction <= 1)");
    static final ScheduleParameter MIN_RATIO = new ScheduleParameter("min_ratio", "0.0",
            "multiplier reached at the last step (0 <= min_ratio < 1)");

    @Override
    public String name() {
        return "warmup_stable_decay";
    }

    @Override
    public List<ScheduleParameter> parameters() {
        return List.of(DECAY_FRACTION, MIN_RATIO);
    }

    @Override
    public void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
        decayFraction(settings);
        minRatio(settings);
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        long warmup = settings.warmupSteps();
        if (step < warmup) {
            return (double) step / (double) Math.max(1, warmup);
        }
        long total = settings.totalSteps();
        long decaySteps = Math.round(decayFraction(settings) * total);
        long decayStart = Math.max(warmup, total - decaySteps);
        if (step < decayStart) {
            return 1.0;
        }
        double minRatio = minRatio(settings);
        double progress = Math.min(1.0, (double) (step - decayStart) / (double) Math.max(1, total - decayStart));
        return minRatio + (1.0 - minRatio) * (1.0 - progress);
    }

    private static double decayFraction(ScheduleSettings settings) {
        double fraction = DECAY_FRACTION.numberIn(settings);
        if (!(fraction > 0 && fraction <= 1)) {
            throw DECAY_FRACTION.refused(DECAY_FRACTION.textIn(settings), "must be above 0 and at most 1");
        }
        return fraction;
    }

    private static double minRatio(ScheduleSettings settings) {
        double ratio = MIN_RATIO.numberIn(settings);
        if (!(ratio >= 0 && ratio < 1)) {
            throw MIN_RATIO.refused(MIN_RATIO.textIn(settings), "must be at least 0 and below 1");
        }
        return ratio;
    }
}

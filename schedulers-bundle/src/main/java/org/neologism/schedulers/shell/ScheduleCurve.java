package org.neologism.schedulers.shell;

import java.util.Map;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;

/**
 * A schedule evaluated over a whole run: the multiplier for every optimiser step 0..T-1.
 *
 * @param name        the schedule's name
 * @param settings    what it was evaluated with
 * @param multipliers the multiplier per step
 */
record ScheduleCurve(String name, ScheduleSettings settings, double[] multipliers) {

    /** Far beyond any textual-inversion run, and small enough (80 MB of values) to print from the shell. */
    static final long MAX_STEPS = 10_000_000;

    /**
     * Validates the settings against the schedule, then evaluates every step of the run.
     *
     * @throws IllegalArgumentException when the schedule refuses the settings or the run is empty
     */
    static ScheduleCurve evaluate(LearningRateSchedule schedule, ScheduleSettings settings) {
        if (settings.totalSteps() < 1 || settings.totalSteps() > MAX_STEPS) {
            throw new IllegalArgumentException("--steps must be between 1 and " + MAX_STEPS + ", got " + settings.totalSteps());
        }
        schedule.validate(settings);
        double[] multipliers = new double[(int) settings.totalSteps()];
        for (int step = 0; step < multipliers.length; step++) {
            multipliers[step] = schedule.multiplier(step, settings);
        }
        return new ScheduleCurve(schedule.name(), settings, multipliers);
    }

    double learningRate(int step) {
        return settings.baseLearningRate() * multipliers[step];
    }

    double maximum() {
        double maximum = 0;
        for (double multiplier : multipliers) {
            maximum = Math.max(maximum, multiplier);
        }
        return maximum;
    }

    /** E.g. {@code cosine_with_restarts  T=100 W=10 lr=0.0001 num_cycles=3}. */
    /** The learning rate of each step: multiplier × base learning rate. */
    double[] learningRates() {
        double[] rates = new double[multipliers.length];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = multipliers[i] * settings.baseLearningRate();
        }
        return rates;
    }

    String title() {
        StringBuilder title = new StringBuilder(name).append("  T=").append(settings.totalSteps())
                .append(" W=").append(settings.warmupSteps()).append(" lr=").append(settings.baseLearningRate());
        settings.parameters().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(parameter -> title.append(' ').append(parameter.getKey()).append('=').append(parameter.getValue()));
        return title.toString();
    }
}

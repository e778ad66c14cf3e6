package org.neologism.schedulers;

import java.util.List;
import java.util.TreeMap;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleParameter;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.service.component.annotations.Component;

/**
 * {@code piecewise_constant}: the multiplier of the first rule whose step bound exceeds {@code s}, else
 * the last value. Rules read {@code multiplier:bound,...,last}, e.g. {@code 1:10,0.1:20,0.01:30,0.005}
 * (1 before step 10, 0.1 before 20, 0.01 before 30, then 0.005). Like diffusers, it ignores warmup.
 */
@Component(property = LearningRateSchedule.NAME_PROPERTY + "=piecewise_constant")
public class PiecewiseConstantSchedule implements LearningRateSchedule {

    static final ScheduleParameter STEP_RULES = new ScheduleParameter("step_rules", "1",
            "multiplier:step_bound pairs then the final multiplier, e.g. 1:10,0.1:20,0.01:30,0.005");

    @Override
    public String name() {
        return "piecewise_constant";
    }

    @Override
    public List<ScheduleParameter> parameters() {
        return List.of(STEP_RULES);
    }

    @Override
    public void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
        StepRules.parse(STEP_RULES.textIn(settings));
    }

    @Override
    public double multiplier(long step, ScheduleSettings settings) {
        return StepRules.parse(STEP_RULES.textIn(settings)).multiplierAt(step);
    }

    /**
     * Parsed rules: multipliers by step bound, ascending, and the multiplier after the last bound.
     */
    record StepRules(TreeMap<Long, Double> multipliersBefore, double last) {

        double multiplierAt(long step) {
            var rule = multipliersBefore.higherEntry(step);
            return rule == null ? last : rule.getValue();
        }

        static StepRules parse(String text) {
            String[] rules = text.split(",", -1);
            TreeMap<Long, Double> multipliers = new TreeMap<>();
            for (int i = 0; i < rules.length - 1; i++) {
                String[] pair = rules[i].split(":", -1);
                if (pair.length != 2) {
                    throw refused(text, "rule '" + rules[i] + "' is not multiplier:step_bound");
                }
                long bound = bound(text, pair[1]);
                if (multipliers.put(bound, multiplier(text, pair[0])) != null) {
                    throw refused(text, "step bound " + bound + " appears twice");
                }
            }
            String last = rules[rules.length - 1];
            if (last.contains(":")) {
                throw refused(text, "the last entry must be the multiplier after every bound, not a rule ('" + last + "')");
            }
            return new StepRules(multipliers, multiplier(text, last));
        }

        private static double multiplier(String text, String value) {
            try {
                double multiplier = Double.parseDouble(value.strip());
                if (Double.isFinite(multiplier) && multiplier >= 0) {
                    return multiplier;
                }
            } catch (NumberFormatException e) {
                // reported below with the whole rule text
            }
            throw refused(text, "'" + value + "' is not a multiplier (a number >= 0)");
        }

        private static long bound(String text, String value) {
            try {
                long bound = Long.parseLong(value.strip());
                if (bound >= 0) {
                    return bound;
                }
            } catch (NumberFormatException e) {
                // reported below with the whole rule text
            }
            throw refused(text, "'" + value + "' is not a step bound (a whole number >= 0)");
        }

        private static IllegalArgumentException refused(String text, String reason) {
            return STEP_RULES.refused(text, "is not valid: " + reason);
        }
    }
}

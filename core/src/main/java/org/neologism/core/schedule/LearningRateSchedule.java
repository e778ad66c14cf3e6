package org.neologism.core.schedule;

import java.util.List;

/**
 * A learning-rate schedule: the multiplier on the base learning rate at each optimiser step.
 *
 * <p>Each schedule is a service with the property {@value #NAME_PROPERTY}. Consumers look it up by
 * name at every step ({@link LiveSchedule}), so a bundle that provides it can be updated or replaced
 * while a job runs. Implementations keep no state between calls: any provider of a name must be able
 * to take over at any step.
 */
public interface LearningRateSchedule {

    /** Service property holding the schedule's name, e.g. {@code cosine_with_restarts}. */
    String NAME_PROPERTY = "scheduler.name";

    /** The name users pass to {@code --lr_scheduler}. */
    String name();

    /** The extra parameters this schedule accepts beyond warmup and total steps, with their defaults. */
    default List<ScheduleParameter> parameters() {
        return List.of();
    }

    /**
     * Checks the settings once before a run, and again when another provider takes over. Parameters
     * the schedule does not declare are refused.
     *
     * @throws IllegalArgumentException naming the parameter and the accepted values
     */
    default void validate(ScheduleSettings settings) {
        settings.refuseUndeclared(name(), parameters());
    }

    /** The multiplier on the base learning rate for optimiser step {@code step} (0-based). */
    double multiplier(long step, ScheduleSettings settings);
}

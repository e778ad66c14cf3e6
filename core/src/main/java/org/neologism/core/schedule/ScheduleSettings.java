package org.neologism.core.schedule;

import java.util.Map;

/**
 * What a schedule is evaluated with.
 *
 * @param warmupSteps      W, the warmup length in optimiser steps
 * @param totalSteps       T, the run length in optimiser steps
 * @param baseLearningRate the learning rate the multiplier applies to (polynomial decay needs it)
 * @param parameters       the schedule's own parameters by name, as text; missing ones take defaults
 */
public record ScheduleSettings(long warmupSteps, long totalSteps, double baseLearningRate, Map<String, String> parameters) {

    public ScheduleSettings {
        parameters = Map.copyOf(parameters);
    }

    public ScheduleSettings(long warmupSteps, long totalSteps, double baseLearningRate) {
        this(warmupSteps, totalSteps, baseLearningRate, Map.of());
    }

    /** The parameter's value, or {@code fallback} when the user gave none. */
    public String parameter(String name, String fallback) {
        return parameters.getOrDefault(name, fallback);
    }
}

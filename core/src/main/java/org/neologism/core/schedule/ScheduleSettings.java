package org.neologism.core.schedule;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("Warmup steps must not be negative, got " + warmupSteps + ": use 0 for no warmup");
        }
        if (totalSteps < 0) {
            throw new IllegalArgumentException("Total steps must not be negative, got " + totalSteps);
        }
        if (!(baseLearningRate >= 0) || Double.isInfinite(baseLearningRate)) {
            throw new IllegalArgumentException("The base learning rate must be a finite number >= 0, got " + baseLearningRate);
        }
        parameters = Map.copyOf(parameters);
    }

    public ScheduleSettings(long warmupSteps, long totalSteps, double baseLearningRate) {
        this(warmupSteps, totalSteps, baseLearningRate, Map.of());
    }

    /** The parameter's value, or {@code fallback} when the user gave none. */
    public String parameter(String name, String fallback) {
        return parameters.getOrDefault(name, fallback);
    }

    /**
     * Refuses parameters the schedule does not declare, so a misspelt {@code num_cycle=3} is not
     * silently ignored.
     *
     * @throws IllegalArgumentException naming the unknown parameters and the accepted ones
     */
    public void refuseUndeclared(String scheduleName, List<ScheduleParameter> declared) {
        TreeSet<String> unknown = new TreeSet<>(parameters.keySet());
        declared.forEach(parameter -> unknown.remove(parameter.name()));
        if (!unknown.isEmpty()) {
            String accepted = declared.isEmpty() ? "it takes no parameters"
                    : "it accepts " + declared.stream().map(ScheduleParameter::name).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("Schedule " + scheduleName + " has no parameter " + String.join(", ", unknown)
                    + ": " + accepted);
        }
    }
}

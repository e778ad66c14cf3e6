package org.neologism.core.training;

/**
 * A snapshot of a job, as {@code ti:status} shows it.
 *
 * @param jobId            the job's number, counted from 1 in this framework
 * @param trigger          the trigger being learned
 * @param status           where the job is
 * @param step             optimiser steps done
 * @param totalSteps       optimiser steps planned
 * @param loss             the last loss read back, or NaN before the first
 * @param learningRate     the learning rate of the last step
 * @param stepsPerSecond   recent throughput
 * @param memoryBytes      memory in use by the job's tensors and the JVM heap
 * @param message          what the user should know now (why it paused or failed, where the result is)
 * @param waitsFor         while {@link TrainingStatus#PAUSED}: the service the job waits for (e.g. the
 *                         learning-rate schedule {@code cosine}); null otherwise
 */
public record TrainingProgress(
        long jobId,
        String trigger,
        TrainingStatus status,
        long step,
        long totalSteps,
        double loss,
        double learningRate,
        double stepsPerSecond,
        long memoryBytes,
        String message,
        String waitsFor) {

    /** A job that waits for nothing. */
    public TrainingProgress(long jobId, String trigger, TrainingStatus status, long step, long totalSteps, double loss,
                            double learningRate, double stepsPerSecond, long memoryBytes, String message) {
        this(jobId, trigger, status, step, totalSteps, loss, learningRate, stepsPerSecond, memoryBytes, message, null);
    }

    /** Seconds until the last step at the current rate, or -1 when unknown. */
    public long etaSeconds() {
        if (stepsPerSecond <= 0 || status.isFinal()) {
            return -1;
        }
        return Math.round((totalSteps - step) / stepsPerSecond);
    }
}

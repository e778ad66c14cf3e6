package org.neologism.trainer.jobs;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.engine.ProcessMemory;
import org.neologism.trainer.training.RunObserver;

/**
 * One submitted run as the shell sees it: its request, where it is, and the lines it reported. The
 * training thread writes, shell threads read; every field is read through {@link #progress()}.
 */
final class TrainingJob implements RunObserver {

    /** Steps per second is smoothed over roughly this many steps. */
    private static final double RATE_WINDOW = 20;

    private final long id;
    private final TrainingRequest request;
    private final List<String> notices = new ArrayList<>();
    private TrainingStatus status = TrainingStatus.QUEUED;
    private String message = "Waiting for the job before it";
    private String waitsFor;
    private long step;
    private double loss = Double.NaN;
    private double learningRate;
    private double stepsPerSecond;
    private long lastStepNanos;
    private volatile boolean stopRequested;

    TrainingJob(long id, TrainingRequest request) {
        this.id = id;
        this.request = request;
    }

    long id() {
        return id;
    }

    TrainingRequest request() {
        return request;
    }

    synchronized TrainingProgress progress() {
        return new TrainingProgress(id, request.placeholderToken(), status, step, request.maxTrainSteps(), loss,
                learningRate, stepsPerSecond, ProcessMemory.residentBytes(), message,
                status == TrainingStatus.PAUSED ? waitsFor : null);
    }

    synchronized List<String> notices() {
        return List.copyOf(notices);
    }

    void requestStop() {
        stopRequested = true;
        synchronized (this) {
            if (status == TrainingStatus.RUNNING || status == TrainingStatus.PAUSED) {
                status = TrainingStatus.STOPPING;
                message = "Writing a checkpoint, then stopping";
            }
        }
    }

    synchronized void finish(TrainingStatus finalStatus, long finalStep, String finalMessage) {
        status = finalStatus;
        step = Math.max(step, finalStep);
        message = finalMessage;
        notices.add(finalMessage);
    }

    @Override
    public synchronized void status(TrainingStatus newStatus, String newMessage) {
        if (status != TrainingStatus.STOPPING) {
            status = newStatus;
        }
        message = newMessage;
        notices.add(newMessage);
    }

    @Override
    public synchronized void paused(String service, String newMessage) {
        status(TrainingStatus.PAUSED, newMessage);
        waitsFor = service;
    }

    @Override
    public synchronized void notice(String line) {
        notices.add(line);
        resumeIfPaused();
    }

    /** A pause ends when the run reports again; what it waited for must not outlive it. */
    private void resumeIfPaused() {
        if (status == TrainingStatus.PAUSED) {
            status = TrainingStatus.RUNNING;
            message = "Running again";
            waitsFor = null;
        }
    }

    @Override
    public synchronized void stepDone(long doneStep, long totalSteps, double stepLoss, double lr) {
        long now = System.nanoTime();
        if (lastStepNanos != 0) {
            double rate = 1e9 / Math.max(1, now - lastStepNanos);
            stepsPerSecond = stepsPerSecond == 0 ? rate : stepsPerSecond + (rate - stepsPerSecond) / RATE_WINDOW;
        }
        lastStepNanos = now;
        step = doneStep;
        loss = stepLoss;
        learningRate = lr;
        resumeIfPaused();
    }

    @Override
    public boolean stopRequested() {
        return stopRequested;
    }
}

package org.neologism.trainer.training;

import org.neologism.core.training.TrainingStatus;

/** What a run tells the job that hosts it, and how the job asks it to stop. */
public interface RunObserver {

    /** The run moved to another state (running, paused for a schedule, stopping). */
    void status(TrainingStatus status, String message);

    /** The run waits for a service ({@code waitsFor}, e.g. its learning-rate schedule); {@code message} says why. */
    void paused(String waitsFor, String message);

    /** One line the user should read: a warning, a resume, a file written. */
    void notice(String message);

    /** Optimiser step {@code step} (1-based) is done. */
    void stepDone(long step, long totalSteps, double loss, double lr);

    /** Whether the user asked the run to stop (it writes a checkpoint first). */
    boolean stopRequested();
}

package org.neologism.core.training;

/** Where a training job is in its life. */
public enum TrainingStatus {
    /** Waiting for the job before it to finish: one job trains at a time. */
    QUEUED,
    RUNNING,
    /** Waiting for a service it needs ({@link TrainingProgress#waitsFor()}), such as its learning-rate schedule; resumes on its own. */
    PAUSED,
    /** Writing its last checkpoint after {@code ti:stop}. */
    STOPPING,
    STOPPED,
    COMPLETED,
    FAILED;

    public boolean isFinal() {
        return this == STOPPED || this == COMPLETED || this == FAILED;
    }
}

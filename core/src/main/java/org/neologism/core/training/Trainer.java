package org.neologism.core.training;

import java.util.List;
import java.util.Optional;

/** Runs textual-inversion jobs in the background, one at a time; later submissions queue. */
public interface Trainer {

    /**
     * Validates the request and queues it.
     *
     * @return the job's number
     * @throws IllegalArgumentException naming the option that is wrong and how to fix it
     */
    long submit(TrainingRequest request);

    /** Every job of this session, oldest first. */
    List<TrainingProgress> jobs();

    /** The job's latest progress. */
    Optional<TrainingProgress> progress(long jobId);

    /** The lines a job reported (warnings, resumes, pauses, the outcome), oldest first. */
    List<String> notices(long jobId);

    /** Asks a job to write a checkpoint and stop; a queued job is removed. Returns whether it existed. */
    boolean stop(long jobId);
}

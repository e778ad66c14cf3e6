package org.neologism.core.training;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs textual-inversion jobs in the background, one at a time; later submissions queue. Every front end
 * (the shell's {@code ti:train}, {@code invokeai-ti}, the console form, the demo) hands its request here.
 */
@ProviderType
public interface Trainer {

    /**
     * What {@link #submit} would refuse: the request's own problems ({@link TrainingRequest#validate()}),
     * else the first that the machine finds (the model, the images folder, the tokens, the device). Loads no
     * network; each problem names its flag and the fix.
     */
    List<String> problems(TrainingRequest request);

    /**
     * Checks the request as {@link #problems} does and queues it.
     *
     * @return the job's number
     * @throws InvalidTrainingRequestException with every problem found
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

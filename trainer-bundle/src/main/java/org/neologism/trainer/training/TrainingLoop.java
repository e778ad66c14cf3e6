package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;

/**
 * The optimisation in textual_inversion.py's training loop, one global step at a time: the step's
 * learning rate from the schedule, the loss and gradient of {@code gradient_accumulation_steps}
 * micro-batches (each loss scaled by 1/k before backward, so the gradients add up to the mean), and one
 * AdamW update of the vectors. The run around it owns stopping, logging and checkpoints.
 *
 * <p>A run's loop keeps all of it on the device ({@link DeviceTraining}: batches gathered there, the
 * device AdamW, one read-back per step) and reads the vectors and the optimizer's state back only for the
 * files that hold them. The reference loop does the same on host arrays with the Java {@link AdamW}, fed
 * batches from Java: the parity tests replay diffusers' recorded samples through it.
 */
final class TrainingLoop {

    /** The micro-batch of the run's samples {@code firstSample .. firstSample + size - 1}. */
    @FunctionalInterface
    interface MicroBatches {
        TextualInversionStep.Batch batch(long firstSample, int size);
    }

    /** The multiplier on the learning rate at optimiser step {@code step} (0-based); may wait for a provider. */
    @FunctionalInterface
    interface Schedule {
        double multiplier(long step) throws InterruptedException;
    }

    /**
     * What one global step did.
     *
     * @param finite       false when the loss or the gradient was NaN or infinite: the vectors were then left unchanged
     * @param gradientNorm ‖∇‖ of the accumulated gradient (the "did it learn" report warns when it stays 0)
     */
    record Step(double loss, double lr, boolean finite, double gradientNorm) {}

    private final Schedule schedule;
    private final double learningRate;
    /** The run's form; null in the reference form. */
    private final DeviceTraining device;
    private final TextualInversionStep step;
    private final MicroBatches batches;
    private final AdamW optimizer;
    private final int batchSize;
    private final int accumulation;

    /**
     * The run's loop, on the device.
     *
     * @param learningRate the base learning rate the schedule multiplies, already scaled ({@link #baseLearningRate})
     */
    TrainingLoop(DeviceTraining device, Schedule schedule, double learningRate) {
        this.device = device;
        this.schedule = schedule;
        this.learningRate = learningRate;
        this.step = null;
        this.batches = null;
        this.optimizer = null;
        this.batchSize = 0;
        this.accumulation = 0;
    }

    /**
     * The reference loop, on host arrays: {@link #run(NDManager, float[], long)} updates the caller's vectors
     * and {@code optimizer}.
     *
     * @param learningRate the base learning rate the schedule multiplies, already scaled ({@link #baseLearningRate})
     */
    TrainingLoop(TextualInversionStep step, MicroBatches batches, AdamW optimizer, Schedule schedule, double learningRate,
                 int batchSize, int accumulation) {
        this.device = null;
        this.step = step;
        this.batches = batches;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
        this.accumulation = accumulation;
    }

    /** {@code --scale_lr}: the learning rate times the samples per optimiser step, as the script scales it. */
    static double baseLearningRate(double learningRate, boolean scaleLr, int batchSize, int accumulation) {
        return scaleLr ? learningRate * accumulation * batchSize : learningRate;
    }

    /** Global step {@code done + 1} of the run's loop: the vectors are updated on the device. */
    Step run(long done) throws InterruptedException {
        requireForm(true);
        double lr = learningRate * schedule.multiplier(done);
        DeviceTraining.StepResult result = device.step(done, lr);
        return new Step(result.loss(), lr, result.finite(), result.gradientNorm());
    }

    /** Global step {@code done + 1} of the reference loop: accumulates its micro-batches and updates {@code vectors} in place. */
    Step run(NDManager manager, float[] vectors, long done) throws InterruptedException {
        requireForm(false);
        double lr = learningRate * schedule.multiplier(done);
        float[] gradient = new float[vectors.length];
        double loss = 0;
        for (int micro = 0; micro < accumulation; micro++) {
            long firstSample = (done * accumulation + micro) * batchSize;
            TextualInversionStep.Outcome outcome = step.run(manager, vectors, batches.batch(firstSample, batchSize),
                    1f / accumulation);
            loss += outcome.loss() / accumulation;
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] += outcome.gradient()[i];
            }
        }
        if (!Double.isFinite(loss) || !allFinite(gradient)) {
            return new Step(loss, lr, false, Double.NaN);
        }
        optimizer.step(vectors, gradient, lr);
        double squares = 0;
        for (float g : gradient) {
            squares += (double) g * g;
        }
        return new Step(loss, lr, true, Math.sqrt(squares));
    }

    /** The run's current vectors, read back. */
    float[] vectors() {
        requireForm(true);
        return device.vectors();
    }

    /** The run's optimizer state, read back (for a checkpoint). */
    AdamW optimizer() {
        requireForm(true);
        return device.optimizer();
    }

    private void requireForm(boolean onDevice) {
        if ((device != null) != onDevice) {
            throw new IllegalStateException("this is the " + (device != null ? "device" : "reference") + " loop");
        }
    }

    private static boolean allFinite(float[] values) {
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}

package org.neologism.trainer.training;

/**
 * The optimisation in textual_inversion.py's training loop, one global step at a time: the step's
 * learning rate from the schedule, the loss and gradient of {@code gradient_accumulation_steps}
 * micro-batches (each loss scaled by 1/k before backward, so the gradients add up to the mean), and one
 * AdamW update of the vectors — all of it on the device ({@link DeviceTraining}). The run around it owns
 * stopping, logging and checkpoints, and reads the vectors and the optimizer's state back for them.
 */
final class TrainingLoop {

    /** The multiplier on the learning rate at optimiser step {@code step} (0-based); may wait for a provider. */
    @FunctionalInterface
    interface Schedule {
        double multiplier(long step) throws InterruptedException;
    }

    /**
     * What one global step did.
     *
     * @param finite     false when the loss or the gradient was NaN or infinite: the vectors were then left unchanged
     * @param lossFinite whether the loss was finite (when not {@code finite}, says which of the two was not)
     */
    record Step(double loss, double lr, boolean finite, boolean lossFinite) {}

    private final DeviceTraining device;
    private final Schedule schedule;
    private final double learningRate;

    /**
     * @param learningRate the base learning rate the schedule multiplies, already scaled ({@link #baseLearningRate})
     */
    TrainingLoop(DeviceTraining device, Schedule schedule, double learningRate) {
        this.device = device;
        this.schedule = schedule;
        this.learningRate = learningRate;
    }

    /** {@code --scale_lr}: the learning rate times the samples per optimiser step, as the script scales it. */
    static double baseLearningRate(double learningRate, boolean scaleLr, int batchSize, int accumulation) {
        return scaleLr ? learningRate * accumulation * batchSize : learningRate;
    }

    /** Global step {@code done + 1}: accumulates its micro-batches and updates the vectors on the device. */
    Step run(long done) throws InterruptedException {
        double lr = learningRate * schedule.multiplier(done);
        DeviceTraining.StepResult result = device.step(done, lr);
        return new Step(result.loss(), lr, result.finite(), result.lossFinite());
    }

    /** The current vectors, read back. */
    float[] vectors() {
        return device.vectors();
    }

    /** The optimizer's state, read back (for a checkpoint). */
    AdamW optimizer() {
        return device.optimizer();
    }
}

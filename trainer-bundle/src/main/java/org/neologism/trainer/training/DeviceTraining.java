package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.neologism.trainer.model.nn.HostTransfers;

/**
 * A run's state on the device: the trainable vectors, AdamW's moments and the accumulated gradient
 * never leave it during a step. A step reads back one small tensor — every micro-batch's loss and
 * whether the gradient stayed finite — which the progress display and loss.csv show and the NaN guard
 * checks before the update is applied; the vectors and moments come back only for the files that hold
 * them (intermediate embeddings, checkpoints, the result).
 */
final class DeviceTraining implements AutoCloseable {

    /** Where the micro-batches come from: a run's {@link DeviceBatches}, or recorded samples uploaded (the parity tests). */
    interface Batches extends AutoCloseable {

        /** The micro-batch of the run's samples {@code firstSample .. firstSample + size - 1}, in {@code scope}. */
        TextualInversionStep.DeviceBatch batch(NDManager scope, long firstSample, int size);

        @Override
        default void close() {}
    }

    /**
     * What one optimizer step's single read-back says.
     *
     * @param gradientNorm ‖∇‖ of the accumulated gradient; NaN when the step was not finite
     */
    record StepResult(double loss, boolean gradientFinite, double gradientNorm) {

        boolean finite() {
            return Double.isFinite(loss) && gradientFinite;
        }
    }

    private final TextualInversionStep step;
    private final Batches batches;
    private final NDManager manager;
    private final NDArray vectors;
    private final DeviceAdamW optimizer;
    private final int batchSize;
    private final int accumulation;

    DeviceTraining(TextualInversionStep step, Batches batches, float[] vectors, int vectorCount, AdamW optimizer,
                   int batchSize, int accumulation, NDManager parent) {
        this.step = step;
        this.batches = batches;
        this.manager = parent.newSubManager();
        this.vectors = manager.create(vectors, new Shape(vectorCount, vectors.length / vectorCount));
        this.optimizer = new DeviceAdamW(optimizer, this.vectors.getShape(), manager);
        this.batchSize = batchSize;
        this.accumulation = accumulation;
    }

    /** Optimizer step {@code done + 1} at learning rate {@code lr}; the update is skipped when anything is not finite. */
    StepResult step(long done, double lr) {
        return step(done, lr, StepClock.NONE);
    }

    /** As above, telling {@code clock} as each phase ends (the benchmark). */
    StepResult step(long done, double lr, StepClock clock) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray gradient = scope.zeros(vectors.getShape(), DataType.FLOAT32);
            NDList losses = new NDList(accumulation);
            for (int micro = 0; micro < accumulation; micro++) {
                long firstSample = (done * accumulation + micro) * batchSize;
                try (NDManager microScope = scope.newSubManager()) {
                    TextualInversionStep.DeviceBatch batch = batches.batch(microScope, firstSample, batchSize);
                    clock.lap(StepClock.Phase.BATCH);
                    TextualInversionStep.DeviceOutcome outcome = step.runOnDevice(microScope, vectors, batch,
                            1f / accumulation, clock);
                    // The reference adds each micro-batch's gradient to zeros, in float32, in this order.
                    NDArray sum = gradient.add(outcome.gradient());
                    sum.attach(scope);
                    gradient = sum;
                    outcome.loss().attach(scope);
                    losses.add(outcome.loss());
                }
            }
            NDArray gradientBad = gradient.isNaN().logicalOr(gradient.isInfinite()).any().toType(DataType.FLOAT64, false);
            // Σg² in float64, as the reference sums it (the report only needs the norm's size).
            NDArray squares = gradient.toType(DataType.FLOAT64, false).square().sum();
            HostTransfers.download();
            double[] readBack = NDArrays.concat(new NDList(NDArrays.stack(losses).toType(DataType.FLOAT64, false),
                    gradientBad.reshape(1), squares.reshape(1))).toDoubleArray();
            double loss = 0;
            for (int micro = 0; micro < accumulation; micro++) {
                loss += (float) readBack[micro] / accumulation;
            }
            boolean gradientFinite = readBack[accumulation] == 0;
            StepResult result = new StepResult(loss, gradientFinite,
                    Double.isFinite(loss) && gradientFinite ? Math.sqrt(readBack[accumulation + 1]) : Double.NaN);
            clock.lap(StepClock.Phase.DOWNLOAD);
            if (result.finite()) {
                optimizer.step(vectors, gradient, lr);
            }
            clock.lap(StepClock.Phase.OPTIMIZER);
            return result;
        }
    }

    /** The vectors as the files hold them: one read back. */
    float[] vectors() {
        return vectors.toFloatArray();
    }

    /** AdamW's state for a checkpoint: one read back. */
    AdamW optimizer() {
        return optimizer.toHost();
    }

    @Override
    public void close() {
        optimizer.close();
        batches.close();
        manager.close();
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@link AdamW} on the device: the vectors' moments stay where the gradient is, so a step needs no
 * round trip for the update. The same float32 operations in the same order as the Java reference, which
 * the parity tests hold it to; the first moment's {@code b1·m + (1-b1)·g} is a fused multiply-add there,
 * reproduced by adding the exact float64 product to {@code b1·m} and rounding once to float32.
 */
public final class DeviceAdamW implements AutoCloseable {

    private final AdamW.Settings settings;
    private final NDManager manager;
    private NDArray firstMoment;
    private final NDArray secondMoment;
    private final NDArray beta1;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2;
    private final NDArray oneMinusBeta2;
    private final NDArray epsilon;
    private long step;

    /** Moves a (new or restored) optimizer's state to {@code parent}'s device, for parameters of {@code shape}. */
    public DeviceAdamW(AdamW state, Shape shape, NDManager parent) {
        this.settings = state.settings();
        this.manager = parent.newSubManager();
        this.firstMoment = manager.create(state.firstMoment(), shape);
        this.secondMoment = manager.create(state.secondMoment(), shape);
        this.step = state.stepCount();
        // The constants of the update, made once: AdamW's float32 casts of the settings.
        this.beta1 = manager.full(new Shape(), (float) settings.beta1());
        this.oneMinusBeta1 = manager.full(new Shape(), (float) (1 - settings.beta1())).toType(DataType.FLOAT64, false);
        this.beta2 = manager.full(new Shape(), (float) settings.beta2());
        this.oneMinusBeta2 = manager.full(new Shape(), (float) (1 - settings.beta2()));
        this.epsilon = manager.full(new Shape(), (float) settings.epsilon());
    }

    /**
     * Updates {@code parameters} (float32, of the moments' shape) in place, at rate {@code lr}. The
     * gradient's scope receives the update's temporaries.
     */
    public void step(NDArray parameters, NDArray gradient, double lr) {
        step++;
        double biasCorrection1 = 1 - Math.pow(settings.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(settings.beta2(), step);
        NDArray previousFirstMoment = firstMoment;
        NDArray updated;
        try (NDManager scope = manager.newSubManager()) {
            // Results of operations on the moments belong to this scope while it is open.
            scope.tempAttachAll(firstMoment, secondMoment);
            // This step's scalars, filled on the device (a fill carries its value with the call: no copy).
            Shape shape = parameters.getShape();
            NDArray decay = scope.full(new Shape(), (float) (1 - lr * settings.weightDecay()));
            NDArray negativeStepSize = scope.full(new Shape(), (float) -(lr / biasCorrection1));
            NDArray biasCorrection2Sqrt = scope.full(new Shape(), (float) Math.sqrt(biasCorrection2));
            NDArray g = gradient.reshape(shape);
            parameters.muli(decay);
            NDArray fused = g.toType(DataType.FLOAT64, false).mul(oneMinusBeta1)
                    .add(firstMoment.mul(beta1).toType(DataType.FLOAT64, false));
            updated = fused.toType(DataType.FLOAT32, false);
            secondMoment.muli(beta2).addi(g.mul(oneMinusBeta2).mul(g));
            // libtorch's vectorised float32 sqrt is not correctly rounded (Java's is): take it in float64.
            NDArray sqrt = secondMoment.toType(DataType.FLOAT64, false).sqrt().toType(DataType.FLOAT32, false);
            NDArray denominator = sqrt.div(biasCorrection2Sqrt).add(epsilon);
            parameters.addi(updated.div(denominator).mul(negativeStepSize));
        }
        updated.attach(manager);
        firstMoment = updated;
        previousFirstMoment.close();
    }

    /** The state as the Java reference holds it, for a checkpoint: one read back. */
    public AdamW toHost() {
        return new AdamW(settings, firstMoment.toFloatArray(), secondMoment.toFloatArray(), step);
    }

    public long stepCount() {
        return step;
    }

    @Override
    public void close() {
        manager.close();
    }
}

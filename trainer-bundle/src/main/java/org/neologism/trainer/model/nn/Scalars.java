package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A scalar as a tensor owned by the manager of the array it will combine with. DJL's {@code mul(Number)}
 * and {@code div(Number)} build such a scalar over a direct buffer and close it immediately, but autograd
 * saves it for the backward pass; after a GC the buffer is freed and the gradient reads garbage (NaN seen).
 * A scalar made here lives until the step's manager closes, which is after the backward pass.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * {@code value} as a 0-d tensor of {@code like}'s dtype in {@code like}'s manager. It is filled on the
     * device (the value travels with the call), so unlike a tensor made from a Java buffer it costs no copy
     * from the host; the float32 value is rounded to a half-precision dtype as a cast would round it.
     */
    public static NDArray like(NDArray like, double value) {
        DataType type = like.getDataType();
        NDManager manager = like.getManager();
        if (type == DataType.FLOAT64) {
            HostTransfers.upload();
            return manager.create(value);
        }
        NDArray scalar = manager.full(new Shape(), (float) value, DataType.FLOAT32);
        return type == DataType.FLOAT32 ? scalar : scalar.toType(type, false);
    }
}

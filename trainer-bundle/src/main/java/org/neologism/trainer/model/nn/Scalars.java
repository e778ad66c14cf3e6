package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A scalar as a tensor owned by the manager of the array it will combine with. DJL's {@code mul(Number)}
 * and {@code div(Number)} build such a scalar over a direct buffer and close it immediately, but autograd
 * saves it for the backward pass; after a GC the buffer is freed and the gradient reads garbage (NaN seen).
 * A scalar made here lives until the step's manager closes, which is after the backward pass.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code value} as a 0-d tensor of {@code like}'s dtype in {@code like}'s manager. */
    public static NDArray like(NDArray like, double value) {
        DataType type = like.getDataType();
        NDArray scalar = type == DataType.FLOAT64 ? like.getManager().create(value)
                : like.getManager().create((float) value);
        return type == DataType.FLOAT64 || type == DataType.FLOAT32 ? scalar : scalar.toType(type, false);
    }
}

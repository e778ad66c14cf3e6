package org.neologism.core.tensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as a PyTorch pickle describes it: a view of a storage. A view need not start at the storage's
 * first element nor be contiguous; {@link TorchCheckpoint#read(PickledTensor)} resolves it into a dense
 * row-major {@link TensorData}.
 *
 * <p>Element {@code [i0, i1, ...]} lives at storage index {@code storageOffset + i0*stride[0] + i1*stride[1] + ...}.
 *
 * @param storage       the storage it views
 * @param storageOffset index of element {@code [0, 0, ...]} in the storage, in elements
 * @param shape         the tensor's dimensions
 * @param stride        elements to skip per step along each dimension
 * @param requiresGrad  whether it was saved with {@code requires_grad=True}
 * @param parameter     whether it was a {@code torch.nn.Parameter}
 */
public record PickledTensor(TorchStorage storage, long storageOffset, long[] shape, long[] stride,
        boolean requiresGrad, boolean parameter) {

    public PickledTensor {
        Objects.requireNonNull(storage, "storage");
        shape = shape.clone();
        stride = stride.clone();
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
    }

    public DType dtype() {
        return storage.dtype();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** The shape as ints, for the Java arrays the rest of Neologism uses. */
    public int[] intShape() {
        return Shapes.toInts(shape);
    }

    /**
     * The product of the dimensions (1 for a scalar).
     *
     * @throws ArithmeticException if it overflows 64 bits
     */
    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** The same view, marked as a parameter as {@code torch._utils._rebuild_parameter} does. */
    public PickledTensor asParameter(boolean parameterRequiresGrad) {
        return new PickledTensor(storage, storageOffset, shape, stride, parameterRequiresGrad, true);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PickledTensor t && storage.equals(t.storage) && storageOffset == t.storageOffset
                && Arrays.equals(shape, t.shape) && Arrays.equals(stride, t.stride)
                && requiresGrad == t.requiresGrad && parameter == t.parameter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(storage, storageOffset, Arrays.hashCode(shape), Arrays.hashCode(stride), requiresGrad,
                parameter);
    }

    @Override
    public String toString() {
        return "PickledTensor[" + dtype() + Arrays.toString(shape) + " stride " + Arrays.toString(stride)
                + " at " + storageOffset + " of storage '" + storage.key() + "']";
    }
}

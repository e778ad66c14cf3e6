package org.neologism.core.tensors;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import org.neologism.core.tensors.internal.ElementCodec;

/**
 * A dense, row-major tensor held in memory as little-endian bytes: what {@link TorchCheckpoint} reads
 * and what {@link TorchCheckpointWriter} writes.
 *
 * @param dtype        element type
 * @param shape        dimensions (empty for a scalar)
 * @param bytes        {@code elementCount * dtype.byteSize()} little-endian bytes
 * @param requiresGrad written as {@code requires_grad=True} (A1111 embeddings do this); ignored on read
 */
public record TensorData(DType dtype, int[] shape, byte[] bytes, boolean requiresGrad) {

    public TensorData {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        bytes = bytes.clone();
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            count *= dim;
        }
        if (count * dtype.byteSize() != bytes.length) {
            throw new IllegalArgumentException(dtype + Arrays.toString(shape) + " needs "
                    + count * dtype.byteSize() + " bytes, got " + bytes.length);
        }
    }

    /** A float32 tensor. */
    public static TensorData ofFloats(int[] shape, float[] values) {
        return ofFloats(DType.F32, shape, values);
    }

    /** Floats stored as F32, F16, BF16 (rounded to nearest even) or F64. */
    public static TensorData ofFloats(DType dtype, int[] shape, float[] values) {
        return new TensorData(dtype, shape, ElementCodec.encodeFloats(values, dtype), false);
    }

    /** Integers stored as I64, I32, I16, I8, U8 or BOOL. */
    public static TensorData ofLongs(DType dtype, int[] shape, long[] values) {
        return new TensorData(dtype, shape, ElementCodec.encodeLongs(values, dtype), false);
    }

    public TensorData withRequiresGrad(boolean value) {
        return new TensorData(dtype, shape, bytes, value);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the raw little-endian bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int elementCount() {
        return bytes.length / dtype.byteSize();
    }

    /** The values converted to float (F16 and BF16 exactly). */
    public float[] floats() {
        float[] values = new float[elementCount()];
        ElementCodec.decodeFloats(ByteBuffer.wrap(bytes), dtype, values, 0, values.length);
        return values;
    }

    /** The values of an integer tensor widened to long. */
    public long[] longs() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException("a " + dtype + " tensor has no integer values");
        }
        long[] values = new long[elementCount()];
        ElementCodec.decodeLongs(ByteBuffer.wrap(bytes), dtype, values, 0, values.length);
        return values;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorData t && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(bytes, t.bytes) && requiresGrad == t.requiresGrad;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(bytes), requiresGrad);
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + Arrays.toString(shape) + (requiresGrad ? ", requires_grad" : "") + "]";
    }
}

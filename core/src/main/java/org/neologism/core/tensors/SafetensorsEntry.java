package org.neologism.core.tensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor described by a safetensors header.
 *
 * @param name       the tensor's name, e.g. {@code text_model.embeddings.token_embedding.weight}
 * @param dtype      its element type
 * @param shape      its dimensions (empty for a scalar)
 * @param dataBegin  first byte, relative to the start of the data buffer
 * @param dataEnd    one past the last byte, relative to the start of the data buffer
 */
public record SafetensorsEntry(String name, DType dtype, long[] shape, long dataBegin, long dataEnd) {

    public SafetensorsEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints, for the Java arrays the rest of Neologism uses. */
    public int[] intShape() {
        return Shapes.toInts(shape);
    }

    /** The product of the dimensions (1 for a scalar). */
    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    public long byteSize() {
        return dataEnd - dataBegin;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SafetensorsEntry e && name.equals(e.name) && dtype == e.dtype
                && Arrays.equals(shape, e.shape) && dataBegin == e.dataBegin && dataEnd == e.dataEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), dataBegin, dataEnd);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}

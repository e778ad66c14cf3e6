package org.neologism.concepts.document;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor found in an embedding file. Its values are read only when asked for, so recognising a
 * format looks at names and shapes alone.
 *
 * @param dtype     the element type as the file names it, e.g. {@code F32}, {@code F16}, {@code BF16}
 * @param shape     its dimensions
 * @param parameter whether PyTorch saved it as a {@code torch.nn.Parameter}
 * @param values    reads the elements converted to float, row-major
 */
public record StoredTensor(String dtype, int[] shape, boolean parameter, ValueSource values) {

    /** Reads the elements of a tensor; a failure names the file. */
    @FunctionalInterface
    public interface ValueSource {
        float[] read() throws IOException;
    }

    public StoredTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(values, "values");
        shape = shape.clone();
    }


    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Whether the elements are floating point, as embedding vectors must be. */
    public boolean isFloatingPoint() {
        return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64");
    }

    public float[] readFloats() throws IOException {
        return values.read();
    }

    public long elementCount() {
        long count = 1;
        for (int dim : shape) {
            count *= dim;
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredTensor t && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
                && parameter == t.parameter && values.equals(t.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), parameter, values);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}

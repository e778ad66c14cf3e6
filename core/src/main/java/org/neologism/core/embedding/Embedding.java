package org.neologism.core.embedding;

import java.util.Arrays;
import java.util.Objects;

/**
 * A learned embedding as it crosses bundle boundaries: the trigger, its vectors as a row-major float
 * array with their shape, and where it came from.
 *
 * <p>The shape is {@code [d]} for the single-vector files sd-concepts and InvokeAI 2.3 write, and
 * {@code [n, d]} otherwise; {@link #vectorCount()} and {@link #width()} hide the difference.
 *
 * @param trigger      the term used in prompts, e.g. {@code <cat-toy>}
 * @param shape        {@code [d]} or {@code [n, d]}
 * @param values       {@code n * d} floats, row-major
 * @param sourceFormat the codec name that read it, or {@code "neologism"} for a trained one
 */
public record Embedding(String trigger, int[] shape, float[] values, String sourceFormat) {

    public Embedding {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(values, "values");
        shape = shape.clone();
        if (shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException(
                    "An embedding has shape [d] or [n, d], not " + Arrays.toString(shape));
        }
        long count = 1;
        for (int dim : shape) {
            if (dim <= 0) {
                throw new IllegalArgumentException("Embedding shape " + Arrays.toString(shape) + " has an empty dimension");
            }
            count *= dim;
        }
        if (count != values.length) {
            throw new IllegalArgumentException("Embedding shape " + Arrays.toString(shape) + " needs " + count
                    + " values, got " + values.length);
        }
    }

    /** An {@code [n, d]} embedding from its rows. */
    public static Embedding ofVectors(String trigger, float[][] vectors, String sourceFormat) {
        int width = vectors[0].length;
        float[] flat = new float[vectors.length * width];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i].length != width) {
                throw new IllegalArgumentException("Embedding rows differ in width: " + width + " and " + vectors[i].length);
            }
            System.arraycopy(vectors[i], 0, flat, i * width, width);
        }
        return new Embedding(trigger, new int[] {vectors.length, width}, flat, sourceFormat);
    }

    public int vectorCount() {
        return shape.length == 1 ? 1 : shape[0];
    }

    /** The token width: 768 for SD 1.x, 1024 for SD 2.x. */
    public int width() {
        return shape[shape.length - 1];
    }

    public float[] vector(int index) {
        Objects.checkIndex(index, vectorCount());
        return Arrays.copyOfRange(values, index * width(), (index + 1) * width());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    public Embedding withTrigger(String newTrigger) {
        return new Embedding(newTrigger, shape, values, sourceFormat);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Embedding e && trigger.equals(e.trigger) && Arrays.equals(shape, e.shape)
                && Arrays.equals(values, e.values) && Objects.equals(sourceFormat, e.sourceFormat);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trigger, Arrays.hashCode(shape), Arrays.hashCode(values), sourceFormat);
    }

    @Override
    public String toString() {
        return "Embedding[" + trigger + " " + Arrays.toString(shape) + " from " + sourceFormat + "]";
    }
}

package org.neologism.core.embedding;

import java.util.Arrays;
import java.util.List;
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
 * @param encoder      the text encoder the vectors belong to: {@link #ONLY_ENCODER} for SD 1.x/2.x, which
 *                     have one; {@code clip_l} or {@code clip_g} for one half of an SDXL pair, which is two
 *                     embeddings with the same trigger
 */
public record Embedding(String trigger, int[] shape, float[] values, String sourceFormat, String encoder) {

    /** The encoder name of an embedding for a model with a single text encoder (SD 1.x and 2.x). */
    public static final String ONLY_ENCODER = "";

    /** The encoder names of an SDXL embedding's halves, in text-encoder order, as every SDXL tool spells them. */
    public static final String CLIP_L = "clip_l";
    public static final String CLIP_G = "clip_g";
    public static final List<String> SDXL_ENCODERS = List.of(CLIP_L, CLIP_G);

    public Embedding {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(encoder, "encoder");
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

    /** An embedding for a model with a single text encoder (SD 1.x and 2.x). */
    public Embedding(String trigger, int[] shape, float[] values, String sourceFormat) {
        this(trigger, shape, values, sourceFormat, ONLY_ENCODER);
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
        return new Embedding(newTrigger, shape, values, sourceFormat, encoder);
    }

    /** Whether this is one half of an SDXL pair rather than an embedding for a single-encoder model. */
    public boolean isForOneOfSeveralEncoders() {
        return !encoder.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Embedding e && trigger.equals(e.trigger) && Arrays.equals(shape, e.shape)
                && Arrays.equals(values, e.values) && Objects.equals(sourceFormat, e.sourceFormat)
                && encoder.equals(e.encoder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trigger, Arrays.hashCode(shape), Arrays.hashCode(values), sourceFormat, encoder);
    }

    @Override
    public String toString() {
        return "Embedding[" + trigger + (encoder.isEmpty() ? "" : " (" + encoder + ")") + " " + Arrays.toString(shape)
                + " from " + sourceFormat + "]";
    }
}

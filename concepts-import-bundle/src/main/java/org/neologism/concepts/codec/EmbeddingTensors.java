package org.neologism.concepts.codec;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.StoredTensor;
import org.neologism.concepts.document.TensorDocument;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.TensorData;

/** Checks a stored tensor is embedding vectors and turns it into an {@link Embedding}, and back. */
final class EmbeddingTensors {

    /**
     * An embedding has a handful of vectors of at most a few thousand floats; anything far larger is not an
     * embedding, and reading it would only waste memory.
     */
    static final long MAX_ELEMENTS = 16L << 20;

    /** The keys of the formats that do not name their trigger in a key. */
    static final List<String> RESERVED_KEYS = List.of("string_to_param", "string_to_token", "emb_params",
            "emp_params", "clip_l", "clip_g");

    private EmbeddingTensors() {
    }

    /** Whether a value is a tensor of vectors: floating point, {@code [d]} or {@code [n, d]}. */
    static boolean isVectors(Object value) {
        return value instanceof StoredTensor tensor && tensor.isFloatingPoint()
                && (tensor.shape().length == 1 || tensor.shape().length == 2);
    }

    /** A dict whose only key is {@code key}, holding vectors. */
    static boolean isSingleTensorDict(Map<?, ?> map, String key) {
        return map != null && map.size() == 1 && isVectors(map.get(key));
    }

    static Embedding toEmbedding(TensorDocument document, String where, Object value, String trigger,
            String format, String encoder) throws IOException {
        if (!(value instanceof StoredTensor tensor) || !tensor.isFloatingPoint()) {
            throw new InvalidEmbeddingFileException(document.file(), where + " is not a floating-point tensor");
        }
        int[] shape = tensor.shape();
        if (shape.length < 1 || shape.length > 2 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new InvalidEmbeddingFileException(document.file(), where + " has shape " + Arrays.toString(shape)
                    + "; embedding vectors have shape [d] or [n, d] with n, d > 0");
        }
        if (tensor.elementCount() > MAX_ELEMENTS) {
            throw new InvalidEmbeddingFileException(document.file(), where + " has " + tensor.elementCount()
                    + " elements, more than an embedding's limit of " + MAX_ELEMENTS);
        }
        if (trigger.isBlank()) {
            throw new InvalidEmbeddingFileException(document.file(), where
                    + " has an empty trigger name; give one with --trigger");
        }
        float[] values = tensor.readFloats();
        if (values.length != tensor.elementCount()) {
            throw new InvalidEmbeddingFileException(document.file(), where + " holds " + values.length
                    + " values, not the " + tensor.elementCount() + " its shape needs");
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new InvalidEmbeddingFileException(document.file(), where
                        + " holds NaN or infinite values; the embedding is broken (retrain or use another checkpoint)");
            }
        }
        return new Embedding(trigger, shape, values, format, encoder);
    }

    /** The vectors as a float32 {@code [n, d]} tensor, however they were shaped when read. */
    static TensorData matrix(Embedding embedding) {
        return TensorData.ofFloats(DType.F32, new int[] {embedding.vectorCount(), embedding.width()},
                embedding.values());
    }

    /** {@code [d]} for a single vector (sd-concepts, InvokeAI 2.3), {@code [n, d]} otherwise. */
    static TensorData vectorOrMatrix(Embedding embedding) {
        int[] shape = embedding.vectorCount() == 1 ? new int[] {embedding.width()}
                : new int[] {embedding.vectorCount(), embedding.width()};
        return TensorData.ofFloats(DType.F32, shape, embedding.values());
    }

    /** The single embedding a one-trigger format can hold. */
    static Embedding single(List<Embedding> embeddings, String format) {
        if (embeddings.size() != 1) {
            throw new IllegalArgumentException("The " + format + " format holds exactly one embedding, not "
                    + embeddings.size() + (embeddings.size() > 1 ? "; an SDXL pair needs --format sdxl_clip_pair" : ""));
        }
        Embedding embedding = embeddings.get(0);
        if (embedding.isForOneOfSeveralEncoders()) {
            throw new IllegalArgumentException("The " + format + " format holds an embedding for a single text encoder,"
                    + " but " + embedding.trigger() + " is the " + embedding.encoder()
                    + " half of an SDXL pair; export it with --format sdxl_clip_pair");
        }
        return embedding;
    }
}

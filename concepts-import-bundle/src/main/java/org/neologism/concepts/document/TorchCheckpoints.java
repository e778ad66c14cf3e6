package org.neologism.concepts.document;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.PickledTensor;
import org.neologism.core.tensors.TensorData;
import org.neologism.core.tensors.TorchModules;
import org.neologism.core.tensors.TorchCheckpoint;
import org.neologism.core.tensors.TorchCheckpointWriter;

/**
 * PyTorch files through core's {@link TorchCheckpoint} (restricted unpickler, nothing executed) and
 * {@link TorchCheckpointWriter} (the {@code torch.save} zip layout). Reading turns the saved object into
 * a {@link TensorDocument} tree whose tensors are read only when a codec asks for their values.
 */
public class TorchCheckpoints {

    /** Deeper nesting than any tensor file has; refusing it keeps a hostile file from exhausting the stack. */
    static final int MAX_NESTING = 64;

    /** The saved object of a PyTorch file, tensors as {@link StoredTensor}s. */
    Object read(Path file) throws IOException {
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            Map<PickledTensor, String> paths = new IdentityHashMap<>();
            checkpoint.tensors().forEach((path, tensor) -> paths.putIfAbsent(tensor, path));
            return new Conversion(file, paths).convert(checkpoint.root(), 0);
        }
    }

    /** Saves an object of maps, strings, numbers, None and {@link TensorData} as {@code torch.save} would. */
    public static void write(Path file, Object root) throws IOException {
        TorchCheckpointWriter.write(file, root);
    }

    /**
     * Saves the original textual_inversion layout, with the token id as a tensor as that code stores it,
     * plus the {@code name} early A1111 added so the trigger survives. The parameters go in a plain dict:
     * core's writer has no {@code ParameterDict}, which A1111 and diffusers do not need (they read either),
     * but the original code's own loader does.
     */
    public static void writeOriginalTextualInversion(Path file, long tokenId, TensorData vectors, String name)
            throws IOException {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("string_to_token", Map.of("*", TensorData.ofLongs(DType.I64, new int[0], new long[] {tokenId})));
        content.put("string_to_param", TorchModules.parameterDict(Map.of("*", vectors)));
        content.put("name", name);
        write(file, content);
    }

    private static final class Conversion {
        private final Path file;
        private final Map<PickledTensor, String> paths;
        private final Map<Object, Object> converted = new IdentityHashMap<>();

        Conversion(Path file, Map<PickledTensor, String> paths) {
            this.file = file;
            this.paths = paths;
        }

        Object convert(Object value, int depth) throws IOException {
            if (depth > MAX_NESTING) {
                throw new InvalidEmbeddingFileException(file, "nests containers deeper than " + MAX_NESTING
                        + " levels; it is not an embedding file");
            }
            if (value instanceof PickledTensor tensor) {
                return stored(tensor);
            }
            if (!(value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Set<?>)) {
                return value;
            }
            Object done = converted.get(value);
            if (done != null) {
                return done; // shared or cyclic: one Java object, as in Python
            }
            if (value instanceof Map<?, ?> map) {
                Map<Object, Object> copy = new LinkedHashMap<>();
                converted.put(value, copy);
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    copy.put(entry.getKey(), convert(entry.getValue(), depth + 1));
                }
                return copy;
            }
            List<Object> copy = new ArrayList<>();
            converted.put(value, copy);
            for (Object item : (Iterable<?>) value) {
                copy.add(convert(item, depth + 1));
            }
            return copy;
        }

        private StoredTensor stored(PickledTensor tensor) throws IOException {
            String path = paths.get(tensor);
            int[] shape;
            try {
                shape = tensor.intShape();
            } catch (ArithmeticException e) {
                throw new InvalidEmbeddingFileException(file, "has a tensor with a dimension beyond 2^31: " + tensor);
            }
            return new StoredTensor(tensor.dtype().name(), shape, tensor.parameter(), () -> {
                try (TorchCheckpoint again = TorchCheckpoint.open(file)) {
                    PickledTensor same = again.tensors().get(path);
                    if (same == null) {
                        throw new InvalidEmbeddingFileException(file, "changed while it was read");
                    }
                    return again.readFloats(same);
                }
            });
        }
    }
}

package org.neologism.trainer.model.single;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.MalformedTensorFileException;
import org.neologism.core.tensors.PickledTensor;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tensors.TorchCheckpoint;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * A single-file Stable Diffusion checkpoint in the original CompVis/Stability layout: a {@code .safetensors}
 * file, or a {@code .ckpt} written by {@code torch.save} (zip or legacy, read by core's restricted
 * unpickler, never executed) whose state dict may sit under {@code "state_dict"}. Tensors are read one at a
 * time on demand: a 4 GB file is never held in the heap.
 */
public final class OriginalCheckpoint implements Closeable {

    /** One stored tensor: its key, element type and shape. */
    public record Stored(String key, DType dtype, long[] shape) {}

    private final Path file;
    private final Map<String, Stored> tensors;
    private final TensorBytes reader;
    private final Long globalStep;

    /** Reads the bytes of one stored tensor. */
    private interface TensorBytes extends Closeable {
        ByteBuffer read(String key) throws IOException;
    }

    private OriginalCheckpoint(Path file, Map<String, Stored> tensors, TensorBytes reader, Long globalStep) {
        this.file = file;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.reader = reader;
        this.globalStep = globalStep;
    }

    /** Whether {@code file} is named like a single-file checkpoint. */
    public static boolean isCheckpointFile(Path file) {
        return org.neologism.core.root.CheckpointFamily.isCheckpointFile(file);
    }

    /**
     * Opens {@code file}, reading only its header or pickle.
     *
     * @throws UnsupportedModelException naming the file and the problem when it is not a readable checkpoint
     */
    public static OriginalCheckpoint open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UnsupportedModelException(file + " does not exist or is not a file");
        }
        try {
            if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors")) {
                return openSafetensors(file);
            }
            return openTorch(file);
        } catch (MalformedTensorFileException e) {
            throw new UnsupportedModelException(e.getMessage() + " — Neologism does not use this file"
                    + " (damaged, hostile or no model checkpoint)", e);
        } catch (IOException e) {
            throw new UnsupportedModelException(file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A checkpoint known only by its keys and shapes (an inventory such as the key lists published for the
     * real models): enough to recognise it and infer its configs; reading a tensor's bytes is refused.
     */
    public static OriginalCheckpoint inventory(Path describedAs, Map<String, Stored> tensors) {
        TensorBytes none = new TensorBytes() {
            @Override
            public ByteBuffer read(String key) throws IOException {
                throw new IOException("an inventory holds shapes, not values");
            }

            @Override
            public void close() {
            }
        };
        return new OriginalCheckpoint(describedAs, new LinkedHashMap<>(tensors), none, null);
    }

    private static OriginalCheckpoint openSafetensors(Path file) throws IOException {
        SafetensorsFile safetensors = SafetensorsFile.open(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(length, 0);
        // The data buffer follows the 8-byte header length and the header (validated by SafetensorsFile).
        long dataStart = 8 + length.getLong(0);
        Map<String, Stored> tensors = new LinkedHashMap<>();
        for (SafetensorsEntry entry : safetensors.entries()) {
            tensors.put(entry.name(), new Stored(entry.name(), entry.dtype(), entry.shape()));
        }
        TensorBytes reader = new TensorBytes() {
            // Positional reads into one reused direct buffer: no mapping lingers in resident memory until a GC.
            private ByteBuffer staging = ByteBuffer.allocateDirect(0);

            @Override
            public ByteBuffer read(String key) throws IOException {
                SafetensorsEntry stored = safetensors.entry(key);
                int size = Math.toIntExact(stored.byteSize());
                if (staging.capacity() < size) {
                    staging = ByteBuffer.allocateDirect(size);
                }
                ByteBuffer target = staging.clear().limit(size);
                long position = dataStart + stored.dataBegin();
                while (target.hasRemaining()) {
                    if (channel.read(target, position + target.position()) < 0) {
                        throw new MalformedTensorFileException(file, "ends inside tensor " + key);
                    }
                }
                return target.flip().order(ByteOrder.LITTLE_ENDIAN);
            }

            @Override
            public void close() throws IOException {
                try (channel) {
                    safetensors.close();
                }
            }
        };
        return new OriginalCheckpoint(file, tensors, reader, null);
    }

    private static OriginalCheckpoint openTorch(Path file) throws IOException {
        TorchCheckpoint checkpoint = TorchCheckpoint.open(file);
        try {
            Object root = checkpoint.root();
            boolean wrapped = root instanceof Map<?, ?> map && map.get("state_dict") instanceof Map<?, ?>;
            String prefix = wrapped ? "state_dict/" : "";
            Map<String, PickledTensor> found = new LinkedHashMap<>();
            checkpoint.tensors().forEach((path, tensor) -> {
                if (path.startsWith(prefix)) {
                    found.put(path.substring(prefix.length()), tensor);
                }
            });
            Map<String, Stored> tensors = new LinkedHashMap<>();
            found.forEach((key, tensor) -> tensors.put(key, new Stored(key, tensor.dtype(), tensor.shape())));
            Long step = root instanceof Map<?, ?> map && map.get("global_step") instanceof Long l ? l : null;
            TensorBytes reader = new TensorBytes() {
                @Override
                public ByteBuffer read(String key) throws IOException {
                    return ByteBuffer.wrap(checkpoint.read(found.get(key)).bytes()).order(ByteOrder.LITTLE_ENDIAN);
                }

                @Override
                public void close() throws IOException {
                    checkpoint.close();
                }
            };
            return new OriginalCheckpoint(file, tensors, reader, step);
        } catch (IOException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public Path path() {
        return file;
    }

    /** Every tensor of the state dict, in file order. */
    public Map<String, Stored> tensors() {
        return tensors;
    }

    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The stored shape of {@code key}, or null when the file has no such tensor. */
    public long[] shape(String key) {
        Stored stored = tensors.get(key);
        return stored == null ? null : stored.shape().clone();
    }

    /** The {@code global_step} a {@code .ckpt} records beside its state dict. */
    public Optional<Long> globalStep() {
        return Optional.ofNullable(globalStep);
    }

    /** The little-endian bytes of one tensor, dense row-major; valid until the next call. */
    public ByteBuffer bytes(String key) {
        if (!tensors.containsKey(key)) {
            throw new UnsupportedModelException(file + " has no tensor " + key);
        }
        try {
            return reader.read(key);
        } catch (IOException | ArithmeticException e) {
            throw new UnsupportedModelException(file + ": cannot read tensor " + key + " (" + e.getMessage()
                    + "); the checkpoint is damaged — download it again", e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    @Override
    public String toString() {
        return file.toString();
    }
}

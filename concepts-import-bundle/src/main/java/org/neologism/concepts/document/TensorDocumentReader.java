package org.neologism.concepts.document;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * Opens any tensor file an embedding may come in and returns its content as a {@link TensorDocument}.
 * The container is told by the first bytes, never by the file name: a zip is a {@code torch.save}
 * archive, a pickle (protocol 2 to 5) is the legacy format, and anything else
 * must be a valid safetensors file. PyTorch files are unpickled only through core's restricted reader.
 */
public final class TensorDocumentReader {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final TorchCheckpoints torch;

    public TensorDocumentReader() {
        this(new TorchCheckpoints());
    }

    TensorDocumentReader(TorchCheckpoints torch) {
        this.torch = torch;
    }

    /**
     * Reads the file's content.
     *
     * @throws InvalidEmbeddingFileException naming the file when it is missing, truncated, corrupt, or
     *                                       not a tensor file at all
     */
    public TensorDocument read(Path file) throws IOException {
        byte[] start = firstBytes(file, 9);
        try {
            if (startsWith(start, ZIP_MAGIC)) {
                return new TensorDocument(file, Container.TORCH_ZIP, torch.read(file), Map.of());
            }
            if (isPickle(start)) {
                return new TensorDocument(file, Container.TORCH_LEGACY, torch.read(file), Map.of());
            }
            if (start[8] != '{') {
                throw new InvalidEmbeddingFileException(file, "is neither a safetensors file nor a PyTorch checkpoint"
                        + " (zip or legacy pickle); it starts with bytes " + hex(start));
            }
            return readSafetensors(file);
        } catch (InvalidEmbeddingFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidEmbeddingFileException(file, readableProblem(file, e), e);
        }
    }

    private static TensorDocument readSafetensors(Path file) throws IOException {
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            Map<String, Object> tensors = new LinkedHashMap<>();
            for (SafetensorsEntry entry : safetensors.entries()) {
                String name = entry.name();
                tensors.put(name, new StoredTensor(entry.dtype().name(), entry.intShape(), false, () -> {
                    try (SafetensorsFile again = SafetensorsFile.open(file)) {
                        return again.readFloats(name);
                    }
                }));
            }
            return new TensorDocument(file, Container.SAFETENSORS, tensors, safetensors.metadata());
        }
    }

    private static byte[] firstBytes(Path file, int count) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidEmbeddingFileException(file, Files.exists(file)
                    ? "is not a regular file; give the path of an embedding file"
                    : "does not exist; check the path");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(count);
            if (bytes.length < count) {
                throw new InvalidEmbeddingFileException(file, "is only " + bytes.length
                        + " bytes long, too short to be a safetensors or PyTorch file");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new InvalidEmbeddingFileException(file, "does not exist; check the path");
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x ", b & 0xff));
        }
        return text.toString().trim();
    }

    /** {@code PROTO 2..5}: the legacy format is a sequence of pickles, the first holding the magic number. */
    private static boolean isPickle(byte[] bytes) {
        return (bytes[0] & 0xff) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // The core readers already start their messages with the file; don't say it twice.
    private static String readableProblem(Path file, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = file + ": ";
        String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return e instanceof RuntimeException ? "is corrupt (" + problem + ")" : problem;
    }
}

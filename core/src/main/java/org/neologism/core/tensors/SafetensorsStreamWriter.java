package org.neologism.core.tensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.neologism.core.tensors.internal.AtomicFileWrite;

/**
 * Writes a safetensors file whose tensors are produced one at a time, for files larger than the heap (a
 * converted 3.4 GB UNet): the header is written from the tensors' descriptions, then each tensor's bytes are
 * asked for and written in order. Same layout as {@link SafetensorsWriter} (space-padded header, 8-byte
 * aligned data).
 */
public final class SafetensorsStreamWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor to write. */
    public record Tensor(String name, DType dtype, long[] shape) {

        long byteSize() {
            long count = 1;
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            return Math.multiplyExact(count, dtype.byteSize());
        }
    }

    /** The little-endian bytes of one tensor, exactly {@code byteSize} of them. */
    @FunctionalInterface
    public interface TensorBytes {
        ByteBuffer of(Tensor tensor) throws IOException;
    }

    private SafetensorsStreamWriter() {}

    /** Writes {@code tensors} in order to a temporary sibling of {@code file}, then moves it over {@code file}. */
    public static void write(Path file, Map<String, String> metadata, List<Tensor> tensors, TensorBytes source)
            throws IOException {
        byte[] header = header(metadata, tensors);
        AtomicFileWrite.write(file, channel -> {
            AtomicFileWrite.writeFully(channel,
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            AtomicFileWrite.writeFully(channel, ByteBuffer.wrap(header));
            for (Tensor tensor : tensors) {
                ByteBuffer bytes = source.of(tensor).duplicate();
                if (bytes.remaining() != tensor.byteSize()) {
                    throw new IllegalStateException(tensor.name() + ": " + bytes.remaining() + " bytes for a "
                            + tensor.dtype() + " tensor of shape " + Arrays.toString(tensor.shape()));
                }
                AtomicFileWrite.writeFully(channel, bytes);
            }
        });
    }

    private static byte[] header(Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor tensor : tensors) {
            if (root.has(tensor.name()) || tensor.name().equals("__metadata__")) {
                throw new IllegalArgumentException("tensor name '" + tensor.name() + "' is used twice or reserved");
            }
            ObjectNode node = root.putObject(tensor.name());
            node.put("dtype", tensor.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            node.putArray("data_offsets").add(offset).add(offset + tensor.byteSize());
            offset += tensor.byteSize();
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] bytes = Arrays.copyOf(json, padded);
        Arrays.fill(bytes, json.length, padded, (byte) ' ');
        return bytes;
    }
}

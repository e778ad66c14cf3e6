package org.neologism.core.tensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.neologism.core.tensors.internal.AtomicFileWrite;
import org.neologism.core.tensors.internal.ElementCodec;

/**
 * Collects tensors (in the order they are added) and metadata, then writes a safetensors file atomically.
 * Values given by a supplier are computed while the file is written, one tensor at a time, so a file larger
 * than the heap (SDXL's 10 GB UNet) can be written.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *         .putMetadata("format", "pt")
 *         .addFloats("<cat-toy>", DType.F32, new int[] {1, 768}, vector)
 *         .write(path);
 * }</pre>
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor to write: {@code byteLength} bytes that {@code data} gives when the file is written. */
    private record Pending(DType dtype, int[] shape, long byteLength, Supplier<byte[]> data) {
    }

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds an entry to {@code __metadata__}, e.g. {@code format = pt} as diffusers writes. */
    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(requireText(key, "metadata key"), requireText(value, "metadata value"));
        return this;
    }

    /** Adds float values stored as F32, F16 or BF16 (rounded to nearest even) or F64. */
    public SafetensorsWriter addFloats(String name, DType dtype, int[] shape, float[] values) {
        checkCount(name, shape, values.length);
        return add(name, dtype, shape, ElementCodec.encodeFloats(values, dtype));
    }

    /**
     * Adds float values as above, computed by {@code values} only when the file is written (once), so the
     * writer never holds more than one such tensor.
     */
    public SafetensorsWriter addFloats(String name, DType dtype, int[] shape, Supplier<float[]> values) {
        long count = checkCount(name, shape);
        return add(name, dtype, shape, count * dtype.byteSize(), () -> {
            float[] computed = values.get();
            checkCount(name, shape, computed.length);
            return ElementCodec.encodeFloats(computed, dtype);
        });
    }

    /** Adds integers stored as I64, I32, I16, I8, U8 or BOOL; values that do not fit are refused. */
    public SafetensorsWriter addLongs(String name, DType dtype, int[] shape, long[] values) {
        checkCount(name, shape, values.length);
        return add(name, dtype, shape, ElementCodec.encodeLongs(values, dtype));
    }

    /** Adds raw little-endian element bytes of the given type. */
    public SafetensorsWriter addBytes(String name, DType dtype, int[] shape, byte[] littleEndianBytes) {
        checkCount(name, shape, littleEndianBytes.length / dtype.byteSize());
        if (littleEndianBytes.length % dtype.byteSize() != 0) {
            throw new IllegalArgumentException(name + ": " + littleEndianBytes.length + " bytes is not a whole number of "
                    + dtype + " elements");
        }
        return add(name, dtype, shape, littleEndianBytes.clone());
    }

    /** Writes the file: to a temporary sibling first, then moved over {@code file}. */
    public void write(Path file) throws IOException {
        byte[] header = headerBytes();
        AtomicFileWrite.write(file, channel -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            AtomicFileWrite.writeFully(channel, length);
            AtomicFileWrite.writeFully(channel, ByteBuffer.wrap(header));
            for (Pending tensor : tensors.values()) {
                AtomicFileWrite.writeFully(channel, ByteBuffer.wrap(tensor.data.get()));
            }
        });
    }

    private SafetensorsWriter add(String name, DType dtype, int[] shape, byte[] data) {
        return add(name, dtype, shape, data.length, () -> data);
    }

    private SafetensorsWriter add(String name, DType dtype, int[] shape, long byteLength, Supplier<byte[]> data) {
        requireText(name, "tensor name");
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("__metadata__ is reserved and cannot name a tensor");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        tensors.put(name, new Pending(dtype, shape.clone(), byteLength, data));
        return this;
    }

    private byte[] headerBytes() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> entry : tensors.entrySet()) {
            Pending tensor = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", tensor.dtype.name());
            ArrayNode shape = node.putArray("shape");
            for (int dim : tensor.shape) {
                shape.add(dim);
            }
            node.putArray("data_offsets").add(offset).add(offset + tensor.byteLength);
            offset += tensor.byteLength;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        // pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void checkCount(String name, int[] shape, int count) {
        long expected = checkCount(name, shape);
        if (expected != count) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + expected
                    + " values, got " + count);
        }
    }

    /** The element count of {@code shape}, which must have no negative dimension. */
    private static long checkCount(String name, int[] shape) {
        long expected = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
            expected = Math.multiplyExact(expected, dim);
        }
        return expected;
    }

    private static String requireText(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        return text;
    }
}

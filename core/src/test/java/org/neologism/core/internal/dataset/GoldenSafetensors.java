package org.neologism.core.internal.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Just enough of the safetensors format to read the golden fixtures in tests: an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte range, then the data.
 * Only {@code U8} and {@code F32} are needed here.
 */
final class GoldenSafetensors {

    private final JsonNode header;
    private final ByteBuffer data;

    private GoldenSafetensors(JsonNode header, ByteBuffer data) {
        this.header = header;
        this.data = data;
    }

    static GoldenSafetensors read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buffer.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + headerLength, bytes.length - 8 - headerLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new GoldenSafetensors(header, data);
    }

    int[] shape(String key) {
        JsonNode shape = entry(key).get("shape");
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asInt();
        }
        return dims;
    }

    byte[] u8(String key) {
        ByteBuffer bytes = bytes(key, "U8");
        byte[] values = new byte[bytes.remaining()];
        bytes.get(values);
        return values;
    }

    float[] f32(String key) {
        ByteBuffer bytes = bytes(key, "F32");
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private ByteBuffer bytes(String key, String dtype) {
        JsonNode entry = entry(key);
        if (!dtype.equals(entry.get("dtype").asText())) {
            throw new IllegalArgumentException(key + " is " + entry.get("dtype").asText() + ", not " + dtype);
        }
        int begin = entry.get("data_offsets").get(0).asInt();
        int end = entry.get("data_offsets").get(1).asInt();
        int elements = Arrays.stream(shape(key)).reduce(1, Math::multiplyExact);
        if ((end - begin) != elements * ("U8".equals(dtype) ? 1 : 4)) {
            throw new IllegalArgumentException(key + ": byte range does not match its shape");
        }
        return data.duplicate().position(begin).limit(end).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private JsonNode entry(String key) {
        JsonNode entry = header.get(key);
        if (entry == null) {
            throw new IllegalArgumentException("no tensor " + key);
        }
        return entry;
    }
}

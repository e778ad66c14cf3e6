package org.neologism.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only reader of a small .safetensors fixture: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and data offsets, then the raw little-endian data. Only the
 * float types the schedule fixtures use (F64, F32) are read.
 */
final class SafetensorsFixture {

    private final JsonNode header;
    private final ByteBuffer data;
    private final Path file;

    private SafetensorsFixture(Path file, JsonNode header, ByteBuffer data) {
        this.file = file;
        this.header = header;
        this.data = data;
    }

    static SafetensorsFixture read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong(0);
        if (headerLength <= 0 || headerLength > bytes.capacity() - 8) {
            throw new IOException(file + ": header length " + headerLength + " does not fit the file");
        }
        String json = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
        ByteBuffer data = bytes.slice(8 + (int) headerLength, bytes.capacity() - 8 - (int) headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        return new SafetensorsFixture(file, new ObjectMapper().readTree(json), data);
    }

    /** The tensor {@code key}, flattened, as doubles. */
    double[] doubles(String key) {
        JsonNode entry = header.get(key);
        if (entry == null) {
            throw new IllegalArgumentException(file + " has no tensor " + key);
        }
        String dtype = entry.get("dtype").asText();
        long begin = entry.get("data_offsets").get(0).asLong();
        long end = entry.get("data_offsets").get(1).asLong();
        long elements = 1;
        for (JsonNode dimension : entry.get("shape")) {
            elements *= dimension.asLong();
        }
        int width = switch (dtype) {
            case "F64" -> 8;
            case "F32" -> 4;
            default -> throw new IllegalArgumentException(file + ": tensor " + key + " has dtype " + dtype + ", not F64/F32");
        };
        if (end - begin != elements * width) {
            throw new IllegalArgumentException(file + ": tensor " + key + " spans " + (end - begin) + " bytes for "
                    + elements + " elements of " + dtype);
        }
        double[] values = new double[(int) elements];
        for (int i = 0; i < values.length; i++) {
            int at = (int) begin + i * width;
            values[i] = width == 8 ? data.getDouble(at) : data.getFloat(at);
        }
        return values;
    }
}

package org.neologism.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only reader for the int64 tensors of a golden {@code .safetensors} file: 8-byte little-endian header
 * length, JSON header ({@code dtype}, {@code shape}, {@code data_offsets} relative to the end of the header),
 * then raw little-endian data. Core's real tensor I/O lives elsewhere; this only feeds the parity tests.
 */
final class GoldenInt64Tensors {

    private final ByteBuffer data;
    private final JsonNode header;
    private final Path file;

    private GoldenInt64Tensors(Path file, ByteBuffer data, JsonNode header) {
        this.file = file;
        this.data = data;
        this.header = header;
    }

    static GoldenInt64Tensors read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(bytes.getLong(0));
        JsonNode header = new ObjectMapper().readTree(
                new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        ByteBuffer data = bytes.slice(8 + headerLength, bytes.capacity() - 8 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        return new GoldenInt64Tensors(file, data, header);
    }

    boolean has(String key) {
        return header.has(key);
    }

    /** A 2-D int64 tensor as int rows (token ids fit in an int). */
    int[][] rows(String key) {
        JsonNode entry = header.get(key);
        if (entry == null) {
            throw new IllegalArgumentException(file + " has no tensor " + key);
        }
        if (!"I64".equals(entry.get("dtype").asText()) || entry.get("shape").size() != 2) {
            throw new IllegalArgumentException(file + ": " + key + " is " + entry + ", expected a 2-D I64 tensor");
        }
        int rows = entry.get("shape").get(0).asInt();
        int columns = entry.get("shape").get(1).asInt();
        long begin = entry.get("data_offsets").get(0).asLong();
        long end = entry.get("data_offsets").get(1).asLong();
        if (end - begin != 8L * rows * columns) {
            throw new IllegalArgumentException(file + ": " + key + " data_offsets do not match its shape");
        }
        int[][] values = new int[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                values[r][c] = Math.toIntExact(data.getLong(Math.toIntExact(begin + 8L * (r * columns + c))));
            }
        }
        return values;
    }
}

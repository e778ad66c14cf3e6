package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

class SafetensorsFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A supplied tensor is computed once, while the file is written, and reads back like an eagerly added one. */
    @Test
    void suppliedValuesAreDrawnWhenTheFileIsWrittenAndReadBackTheSame() throws IOException {
        float[] values = {1.5f, -2f, 3.25f, 0f, 7f, -0.5f};
        int[] calls = {0};
        SafetensorsWriter lazy = new SafetensorsWriter().addFloats("w", DType.F16, new int[] {2, 3}, () -> {
            calls[0]++;
            return values;
        });
        assertEquals(0, calls[0], "nothing is drawn before the file is written");
        Path supplied = dir.resolve("supplied.safetensors");
        lazy.write(supplied);
        assertEquals(1, calls[0], "drawn once");
        Path eager = dir.resolve("eager.safetensors");
        new SafetensorsWriter().addFloats("w", DType.F16, new int[] {2, 3}, values).write(eager);
        assertEquals(-1L, Files.mismatch(supplied, eager), "the same bytes as the eagerly added tensor");

        SafetensorsWriter wrong = new SafetensorsWriter().addFloats("short", DType.F32, new int[] {4}, () -> new float[3]);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> wrong.write(dir.resolve("wrong.safetensors")));
        assertEquals("short: shape [4] needs 4 values, got 3", refused.getMessage());
        assertFalse(Files.exists(dir.resolve("wrong.safetensors")), "no partial file is left");
    }

    @Test
    void everyDtypeSurvivesAWriteAndReadInOrderWithMetadata() throws IOException {
        float[] floats = {0f, 1f, -2.5f, 1f / 3, 65504f, 1e-7f};
        long[] longs = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 42};
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .putMetadata("format", "pt")
                .putMetadata("note", "ünïcode")
                .addFloats("z.f32", DType.F32, new int[] {2, 3}, floats)
                .addFloats("a.f16", DType.F16, new int[] {6}, floats)
                .addFloats("m.bf16", DType.BF16, new int[] {3, 2}, floats)
                .addFloats("b.f64", DType.F64, new int[] {6}, floats)
                .addLongs("i64", DType.I64, new int[] {6}, longs)
                .addLongs("i32", DType.I32, new int[] {3}, new long[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE})
                .addLongs("i16", DType.I16, new int[] {2}, new long[] {-32768, 32767})
                .addLongs("i8", DType.I8, new int[] {2}, new long[] {-128, 127})
                .addLongs("u8", DType.U8, new int[] {2}, new long[] {0, 255})
                .addLongs("bool", DType.BOOL, new int[] {3}, new long[] {1, 0, 1})
                .addFloats("scalar", DType.F32, new int[] {}, new float[] {7f})
                .addFloats("empty", DType.F32, new int[] {0, 4}, new float[0])
                .write(file);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of("z.f32", "a.f16", "m.bf16", "b.f64", "i64", "i32", "i16", "i8", "u8", "bool",
                    "scalar", "empty"), read.names());
            assertEquals(Map.of("format", "pt", "note", "ünïcode"), read.metadata());
            assertArrayEquals(floats, read.readFloats("z.f32"));
            assertArrayEquals(new long[] {2, 3}, read.entry("z.f32").shape());
            assertArrayEquals(new float[] {0f, 1f, -2.5f, 0.33325195f, 65504f, 1.1920929e-7f}, read.readFloats("a.f16"));
            assertArrayEquals(new float[] {0f, 1f, -2.5f, 0.33398438f, 65536f, 1.0011718e-7f}, read.readFloats("m.bf16"));
            assertArrayEquals(floats, read.readFloats("b.f64"));
            assertEquals(DType.F64, read.entry("b.f64").dtype());
            assertArrayEquals(longs, read.readLongs("i64"));
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, read.readInts("i32"));
            assertArrayEquals(new long[] {-32768, 32767}, read.readLongs("i16"));
            assertArrayEquals(new long[] {-128, 127}, read.readLongs("i8"));
            assertArrayEquals(new long[] {0, 255}, read.readLongs("u8"));
            assertArrayEquals(new long[] {1, 0, 1}, read.readLongs("bool"));
            assertArrayEquals(new float[] {1f, 0f, 1f}, read.readFloats("bool"));
            assertArrayEquals(new float[] {7f}, read.readFloats("scalar"));
            assertEquals(0, read.entry("scalar").shape().length);
            assertArrayEquals(new float[0], read.readFloats("empty"));
            assertArrayEquals(new byte[] {-128, 127}, read.readBytes("i8"));
            assertEquals(24, read.readBytes("z.f32").length);
            assertEquals(-2.5f, read.map("z.f32").getFloat(8));
        }
    }

    @Test
    void tensorsAreListedInTheOrderOfTheirData() throws IOException {
        Path file = write("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, -1);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of("empty", "a", "b"), read.names());
        }
    }

    @Test
    void theDataBufferStartsEightByteAlignedLikeTheReferenceWriter() throws IOException {
        Path file = dir.resolve("aligned.safetensors");
        new SafetensorsWriter().addFloats("x", DType.F32, new int[] {1}, new float[] {1f}).write(file);
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8);
        assertEquals(8 + headerLength + 4, Files.size(file));
    }

    @Test
    void integerReadsOfFloatTensorsAndNarrowingOverflowsAreRefused() throws IOException {
        Path file = dir.resolve("ints.safetensors");
        new SafetensorsWriter()
                .addFloats("f", DType.F32, new int[] {1}, new float[] {1f})
                .addLongs("big", DType.I64, new int[] {1}, new long[] {1L << 40})
                .write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            MalformedTensorFileException notInteger = assertThrows(MalformedTensorFileException.class,
                    () -> read.readLongs("f"));
            assertTrue(notInteger.getMessage().contains("not an integer type"), notInteger.getMessage());
            MalformedTensorFileException overflow = assertThrows(MalformedTensorFileException.class,
                    () -> read.readInts("big"));
            assertTrue(overflow.getMessage().contains("does not fit in an int"), overflow.getMessage());
            MalformedTensorFileException missing = assertThrows(MalformedTensorFileException.class,
                    () -> read.readFloats("nope"));
            assertTrue(missing.getMessage().startsWith(file.toString()) && missing.getMessage().contains("'nope'"),
                    missing.getMessage());
        }
    }

    @Test
    void anExistingFileIsReplacedWholeAndNoTemporaryFileRemains() throws IOException {
        Path file = dir.resolve("out.safetensors");
        Files.writeString(file, "old content that is not a safetensors file");
        new SafetensorsWriter().addFloats("x", DType.F32, new int[] {2}, new float[] {1f, 2f}).write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1f, 2f}, read.readFloats("x"));
        }
        assertEquals(List.of(file), Fixtures.filesIn(dir));
    }

    @Test
    void narrowWindowsReadTheSameValuesAsOneMapping() throws IOException {
        float[] values = new float[1001];
        double[] doubles = new double[333];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        for (int i = 0; i < doubles.length; i++) {
            doubles[i] = Math.cos(i) * 1e300;
        }
        byte[] doubleBytes = new byte[doubles.length * 8];
        ByteBuffer.wrap(doubleBytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(doubles);
        Path file = dir.resolve("windows.safetensors");
        new SafetensorsWriter()
                .addFloats("h", DType.F16, new int[] {1001}, values)
                .addFloats("f", DType.F32, new int[] {7, 143}, values)
                .addBytes("d", DType.F64, new int[] {333}, doubleBytes)
                .write(file);
        try (SafetensorsFile whole = SafetensorsFile.open(file);
                SafetensorsFile windowed = SafetensorsFile.open(file, 24)) {
            assertArrayEquals(values, windowed.readFloats("f"));
            assertArrayEquals(whole.readFloats("h"), windowed.readFloats("h"));
            assertArrayEquals(doubles, windowed.readDoubles("d"));
            assertArrayEquals(whole.readBytes("d"), windowed.readBytes("d"));
        }
    }

    /**
     * A file whose tensor lies beyond 2 GiB, made sparse with setLength so no real data is written: the
     * reader must map past the limit of one MappedByteBuffer.
     */
    @Test
    void aTensorBeyondTwoGibibytesIsReadFromASparseFile() throws IOException {
        long padding = (1L << 31) + 100;
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"padding\":{\"dtype\":\"U8\",\"shape\":[" + padding + "],\"data_offsets\":[0," + padding + "]},"
                + "\"far\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + padding + "," + (padding + 16) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long dataStart = 8 + json.length;
            raf.setLength(dataStart + padding + 16);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.seek(dataStart + padding);
            ByteBuffer far = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            far.asFloatBuffer().put(new float[] {1.5f, -2f, 3.25f, 1e20f});
            raf.write(far.array());
        }
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of("padding", "far"), read.names());
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e20f}, read.readFloats("far"));
            assertEquals(1e20f, read.map("far").getFloat(12));
            MalformedTensorFileException tooLarge = assertThrows(MalformedTensorFileException.class,
                    () -> read.readBytes("padding"));
            assertTrue(tooLarge.getMessage().contains("too large for one Java array"), tooLarge.getMessage());
        }
    }

    @Test
    void everyGoldenSafetensorsFileMatchesItsIndex() throws IOException {
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            int files = 0;
            for (JsonNode described : variant.index().get("files")) {
                String name = described.get("file").asText();
                JsonNode tensors = described.get("tensors");
                if (!name.endsWith(".safetensors")) {
                    continue;
                }
                try (SafetensorsFile read = SafetensorsFile.open(variant.file(name))) {
                    if (tensors == null) {
                        // A file the index lists without its keys (embedding and output files): it must still parse.
                        assertFalse(read.names().isEmpty(), name);
                        files++;
                        continue;
                    }
                    List<String> expectedNames = new ArrayList<>();
                    tensors.fieldNames().forEachRemaining(expectedNames::add);
                    assertEquals(expectedNames.stream().sorted().toList(), read.names().stream().sorted().toList(), name);
                    Iterator<Map.Entry<String, JsonNode>> fields = tensors.fields();
                    while (fields.hasNext()) {
                        Map.Entry<String, JsonNode> field = fields.next();
                        SafetensorsEntry entry = read.entry(field.getKey());
                        assertEquals(torchDtype(entry.dtype()), field.getValue().get("dtype").asText(), entry.name());
                        assertArrayEquals(JSON.treeToValue(field.getValue().get("shape"), long[].class), entry.shape(),
                                entry.name());
                        if (entry.dtype().isFloatingPoint()) {
                            assertEquals(entry.elementCount(), read.readFloats(entry.name()).length);
                        } else {
                            assertEquals(entry.elementCount(), read.readLongs(entry.name()).length);
                        }
                    }
                }
                files++;
            }
            assertTrue(files > 0, variant + ": index.json lists no safetensors file");
        }
    }

    @Test
    void everyModelWeightFileHoldsTheIndexedParameterCount() throws IOException {
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            Path model = variant.modelDir();
            JsonNode counts = variant.index().get("model").has("num_params") ? variant.index().get("model").get("num_params")
                    : variant.index().get("model").get("params");
            assertTrue(counts != null && counts.size() > 0, variant + ": index.json model has no parameter counts");
            for (Map.Entry<String, JsonNode> component : (Iterable<Map.Entry<String, JsonNode>>) counts::fields) {
                Path folder = model.resolve(component.getKey());
                List<Path> weights = Fixtures.filesIn(folder).stream()
                        .filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
                assertEquals(1, weights.size(), folder.toString());
                long elements = 0;
                try (SafetensorsFile read = SafetensorsFile.open(weights.get(0))) {
                    assertEquals("pt", read.metadata().get("format"));
                    for (SafetensorsEntry entry : read.entries()) {
                        float[] values = read.readFloats(entry.name());
                        assertEquals(entry.elementCount(), values.length);
                        for (float v : values) {
                            assertTrue(Float.isFinite(v), entry.name());
                        }
                        elements += values.length;
                    }
                }
                assertEquals(component.getValue().asLong(), elements, model + "/" + component.getKey());
            }
        }
    }

    private static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case I64 -> "int64";
            case I32 -> "int32";
            case I16 -> "int16";
            case I8 -> "int8";
            case U8 -> "uint8";
            case BOOL -> "bool";
        };
    }

    // --- malformed files: each is refused with a message that names the file and the problem ---

    @Test
    void aFileShorterThanTheLengthFieldIsRefused() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertRefused(file, "too short");
    }

    @Test
    void aHeaderLongerThanTheFileIsRefused() throws IOException {
        Path file = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, 1000);
        assertRefused(file, "declares a header of");
        Path huge = write("{}", 0, Long.MAX_VALUE);
        assertRefused(huge, "declares a header of");
        Path negative = write("{}", 0, -5);
        assertRefused(negative, "declares a header of");
    }

    @Test
    void offsetsBeyondTheDataAreRefused() throws IOException {
        assertRefused(write("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, -1), "beyond");
        assertRefused(write("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, -1),
                "invalid data_offsets");
        assertRefused(write("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 8, -1),
                "invalid data_offsets");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, -1), "overlap");
    }

    @Test
    void aByteSizeThatDisagreesWithDtypeAndShapeIsRefused() throws IOException {
        assertRefused(write("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,12]}}", 12, -1),
                "needs 6");
        assertRefused(write("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, -1),
                "overflows");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, -1), "'a' twice");
    }

    @Test
    void unknownDtypesNegativeDimsAndBadJsonAreRefused() throws IOException {
        assertRefused(write("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, -1),
                "unknown dtype 'Q4'");
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0, -1),
                "negative dimension");
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, -1),
                "not a 64-bit integer");
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, -1), "data_offsets");
        assertRefused(write("{\"a\": [1, 2", 0, -1), "not valid JSON");
        assertRefused(write("[1, 2]", 0, -1), "not a JSON object");
        assertRefused(write("{\"__metadata__\":{\"step\":5}}", 0, -1), "not a string");
        assertRefused(write("{} {}", 0, -1), "trailing");
    }

    private Path write(String header, int dataBytes, long declaredHeaderLength) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(declaredHeaderLength >= 0 || declaredHeaderLength < -1 ? declaredHeaderLength : json.length);
        file.put(json);
        Path path = dir.resolve("bad" + Integer.toHexString(header.hashCode()) + "_" + declaredHeaderLength
                + ".safetensors");
        Files.write(path, file.array());
        return path;
    }

    private static void assertRefused(Path file, String expected) {
        MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class,
                () -> SafetensorsFile.open(file).close());
        assertTrue(refused.getMessage().startsWith(file.toString() + ": "), refused.getMessage());
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        assertEquals(file, refused.file());
        assertFalse(refused.getMessage().isBlank());
    }
}

package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

class TorchCheckpointWriterTest {

    @TempDir
    Path dir;

    /**
     * Rebuilds each fixture's object from what we read, writes it, and expects torch.save's very pickle: every
     * zip-format embedding file whose tensors each own their whole storage and are no Parameters (views and
     * ParameterDicts pickle differently; {@link #aParameterDictIsPickledExactlyAsTorchSaveDid} covers the latter).
     */
    @Test
    void theWrittenPickleIsByteIdenticalToTorchSave() throws IOException {
        int files = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path original : Fixtures.filesIn(variant.file("embeddings"))) {
                String name = original.getFileName().toString();
                if (name.endsWith(".safetensors")) {
                    continue;
                }
                Object rebuilt;
                List<String> storages = new ArrayList<>();
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(original)) {
                    if (checkpoint.format() != TorchCheckpoint.Format.ZIP || !wholeStoragesOnly(checkpoint)) {
                        continue;
                    }
                    rebuilt = toWritable(checkpoint, checkpoint.root());
                    checkpoint.tensors().values().forEach(tensor -> storages.add(tensor.storage().key()));
                }
                Path copy = dir.resolve(variant.name()).resolve(name);
                TorchCheckpointWriter.write(copy, rebuilt);
                String stem = name.substring(0, name.lastIndexOf('.'));
                assertArrayEquals(entry(original, stem + "/data.pkl"), entry(copy, stem + "/data.pkl"), name);
                for (String storage : storages) {
                    assertArrayEquals(entry(original, stem + "/data/" + storage), entry(copy, stem + "/data/" + storage), name);
                }
                assertArrayEquals(entry(original, stem + "/version"), entry(copy, stem + "/version"), name);
                files++;
            }
            assertTrue(files > 0, variant + ": no zip-format embedding file to rewrite");
        }
    }

    private static boolean wholeStoragesOnly(TorchCheckpoint checkpoint) throws IOException {
        for (PickledTensor tensor : checkpoint.tensors().values()) {
            if (tensor.parameter() || tensor.storageOffset() != 0 || tensor.storage().elementCount() != tensor.elementCount()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The original textual-inversion format's ParameterDict of Parameters, rebuilt from the values we
     * read, pickles to exactly what torch.save wrote for it (every fixture file whose string_to_param is one).
     */
    @Test
    void aParameterDictIsPickledExactlyAsTorchSaveDid() throws IOException {
        int files = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path original : Fixtures.filesIn(variant.file("embeddings"))) {
                String name = original.getFileName().toString();
                if (name.endsWith(".safetensors")) {
                    continue;
                }
                Map<String, Object> rebuilt = new LinkedHashMap<>();
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(original)) {
                    if (!(checkpoint.root() instanceof Map<?, ?> root) || !(root.get("string_to_param") instanceof Map<?, ?> parameters)
                            || parameters.values().stream().noneMatch(p -> p instanceof PickledTensor t && t.parameter())) {
                        continue;
                    }
                    Map<String, TensorData> tensors = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> entry : parameters.entrySet()) {
                        tensors.put((String) entry.getKey(), checkpoint.read((PickledTensor) entry.getValue()));
                    }
                    rebuilt.put("string_to_token", root.get("string_to_token"));
                    rebuilt.put("string_to_param", TorchModules.parameterDict(tensors));
                    rebuilt.put("name", root.get("name"));
                    rebuilt.put("step", root.get("step"));
                }
                Path copy = dir.resolve(variant.name()).resolve(name);
                TorchCheckpointWriter.write(copy, rebuilt);
                String stem = name.substring(0, name.lastIndexOf('.'));
                assertArrayEquals(entry(original, stem + "/data.pkl"), entry(copy, stem + "/data.pkl"));
                assertArrayEquals(entry(original, stem + "/data/0"), entry(copy, stem + "/data/0"));
                try (TorchCheckpoint reread = TorchCheckpoint.open(copy)) {
                    assertEquals(1, reread.tensors().size());
                }
                files++;
            }
        }
        assertTrue(files >= 1, "no fixture holds a ParameterDict embedding");
    }

    @Test
    void entriesAreStoredAlignedAndNamedLikeTorchSave() throws IOException {
        Path file = dir.resolve("learned_embeds.bin");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("<a>", TensorData.ofFloats(new int[] {3}, new float[] {1, 2, 3}));
        root.put("<b>", TensorData.ofFloats(new int[] {1, 5}, new float[] {4, 5, 6, 7, 8}));
        TorchCheckpointWriter.write(file, root);
        byte[] raw = Files.readAllBytes(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            // no byteorder entry: AUTOMATIC1111's safe unpickler refuses archives holding one
            assertEquals(List.of("learned_embeds/data.pkl", "learned_embeds/data/0",
                    "learned_embeds/data/1", "learned_embeds/version"), names);
            for (ZipEntry entry : Collections.list(zip.entries())) {
                assertEquals(ZipEntry.STORED, entry.getMethod(), entry.getName());
            }
            assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("learned_embeds/version")).readAllBytes(),
                    StandardCharsets.US_ASCII));
        }
        // walk the local headers: every entry's data starts on a 64-byte boundary
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int position = 0;
        int entries = 0;
        while (buffer.getInt(position) == 0x04034b50) {
            int size = buffer.getInt(position + 22);
            int dataStart = position + 30 + (buffer.getShort(position + 26) & 0xffff) + (buffer.getShort(position + 28) & 0xffff);
            assertEquals(0, dataStart % 64, "entry " + entries);
            position = dataStart + size;
            entries++;
        }
        assertEquals(4, entries);
    }

    @Test
    void valuesOfEveryKindSurviveAWriteAndRead() throws IOException {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("ints", new ArrayList<>(List.of(0, 255, 256, 65535, 65536, -1, Integer.MIN_VALUE,
                Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40)));
        nested.put("float", 0.1);
        nested.put("none", null);
        nested.put("flags", new ArrayList<>(Arrays.asList(true, false)));
        nested.put("text", "ünïcode ✓");
        nested.put("big", new BigInteger("123456789012345678901234567890"));
        TensorData f16 = TensorData.ofFloats(DType.F16, new int[] {2, 2}, new float[] {0.5f, -1f, 65504f, 1e-3f});
        TensorData bf16 = TensorData.ofFloats(DType.BF16, new int[] {2}, new float[] {1.5f, -3f});
        TensorData ids = TensorData.ofLongs(DType.I64, new int[] {3}, new long[] {49406, -7, 1L << 50});
        TensorData scalar = TensorData.ofFloats(new int[] {}, new float[] {42f});
        TensorData param = TensorData.ofFloats(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}).withRequiresGrad(true);
        Map<String, Object> tensors = new LinkedHashMap<>();
        tensors.put("f16", f16);
        tensors.put("bf16", bf16);
        tensors.put("ids", ids);
        tensors.put("scalar", scalar);
        tensors.put("param", param);
        tensors.put("param again", param);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("nested", nested);
        root.put("tensors", tensors);
        root.put("list", new ArrayList<>(List.of("a", 1L, new ArrayList<>())));
        Path file = dir.resolve("all.pt");
        TorchCheckpointWriter.write(file, root);

        try (TorchCheckpoint read = TorchCheckpoint.open(file)) {
            Map<?, ?> readRoot = assertInstanceOf(Map.class, read.root());
            assertEquals(List.of("nested", "tensors", "list"), List.copyOf(readRoot.keySet()));
            Map<?, ?> readNested = (Map<?, ?>) readRoot.get("nested");
            assertEquals(List.of(0L, 255L, 256L, 65535L, 65536L, -1L, (long) Integer.MIN_VALUE, Long.MAX_VALUE,
                    Long.MIN_VALUE, 1L << 40), readNested.get("ints"));
            assertEquals(0.1, readNested.get("float"));
            assertTrue(readNested.containsKey("none") && readNested.get("none") == null);
            assertEquals(List.of(true, false), readNested.get("flags"));
            assertEquals("ünïcode ✓", readNested.get("text"));
            assertEquals(new BigInteger("123456789012345678901234567890"), readNested.get("big"));
            assertEquals(List.of("a", 1L, List.of()), readRoot.get("list"));
            Map<String, TensorData> all = read.readAll();
            assertEquals(List.of("tensors/f16", "tensors/bf16", "tensors/ids", "tensors/scalar", "tensors/param",
                    "tensors/param again"), List.copyOf(all.keySet()));
            assertEquals(f16, all.get("tensors/f16"));
            assertArrayEquals(new float[] {0.5f, -1f, 65504f, 0.0010004044f}, all.get("tensors/f16").floats());
            assertEquals(bf16, all.get("tensors/bf16"));
            assertArrayEquals(new long[] {49406, -7, 1L << 50}, read.readLongs(read.tensors().get("tensors/ids")));
            assertEquals(scalar, all.get("tensors/scalar"));
            assertEquals(param, all.get("tensors/param"));
            assertTrue(read.tensors().get("tensors/param").requiresGrad());
            assertEquals(read.tensors().get("tensors/param").storage(), read.tensors().get("tensors/param again").storage(),
                    "one tensor saved twice shares its storage");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertEquals(5 + 2, zip.size(), "five storages (the repeated tensor once) plus data.pkl and version");
        }
    }

    /** torch 2.x adds {@code byteorder}; such files (everything saved since) keep loading. */
    @Test
    void archivesWithTheByteorderEntryOfTorch2StillRead() throws IOException {
        Path written = dir.resolve("learned_embeds.bin");
        TorchCheckpointWriter.write(written, Map.of("<a>", TensorData.ofFloats(new int[] {3}, new float[] {1, 2, 3})));
        Path torch2 = dir.resolve("torch2.bin");
        try (ZipFile source = new ZipFile(written.toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(torch2))) {
            for (ZipEntry entry : Collections.list(source.entries())) {
                stored(out, entry.getName(), source.getInputStream(entry).readAllBytes());
                if (entry.getName().endsWith("/data.pkl")) {
                    stored(out, "learned_embeds/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        try (ZipFile zip = new ZipFile(torch2.toFile())) {
            assertTrue(zip.getEntry("learned_embeds/byteorder") != null);
        }
        try (TorchCheckpoint read = TorchCheckpoint.open(torch2)) {
            assertArrayEquals(new float[] {1, 2, 3}, read.readAll().get("<a>").floats());
        }
    }

    private static void stored(java.util.zip.ZipOutputStream out, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
    }

    @Test
    void writingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("emb.pt");
        Files.writeString(file, "previous");
        TorchCheckpointWriter.write(file, Map.of("name", "x"));
        try (TorchCheckpoint read = TorchCheckpoint.open(file)) {
            assertEquals(Map.of("name", "x"), read.root());
        }
        assertEquals(List.of(file), Fixtures.filesIn(dir));
    }

    @Test
    void valuesThatPickleCannotExpressAreRefusedBeforeAnythingIsWritten() {
        Path file = dir.resolve("bad.pt");
        IOException refused = assertThrows(IOException.class,
                () -> TorchCheckpointWriter.write(file, Map.of("x", new Object())));
        assertTrue(refused.getMessage().contains(file.toString()) && refused.getMessage().contains("cannot pickle"),
                refused.getMessage());
        assertTrue(Files.notExists(file));
    }

    private static byte[] entry(Path zipFile, String name) throws IOException {
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            assertTrue(entry != null, zipFile + " lacks " + name);
            return zip.getInputStream(entry).readAllBytes();
        }
    }

    /** The Java value tree of a read checkpoint, with tensors replaced by their data so it can be written. */
    private static Object toWritable(TorchCheckpoint checkpoint, Object value) throws IOException {
        if (value instanceof PickledTensor tensor) {
            return checkpoint.read(tensor);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                copy.put(entry.getKey(), toWritable(checkpoint, entry.getValue()));
            }
            return copy;
        }
        return value;
    }
}

package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** Reads every embedding file of every golden variant and compares it with what PyTorch saved. */
class TorchCheckpointFixturesTest {

    /** A tensor read from a fixture file, and the Python value tree it came from. */
    private record ReadFile(Map<String, TensorData> tensors, Object root) {
    }

    @Test
    void everyEmbeddingFileMatchesTheExpectedTensorsExactly() throws IOException {
        int compared = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            Set<String> unmatched = new HashSet<>();
            try (SafetensorsFile expected = SafetensorsFile.open(variant.file("embeddings_expected.safetensors"))) {
                for (String key : expected.names()) {
                    // diffusers_load/* and pipeline_* are what diffusers made of the files, not tensors in them
                    if (!key.startsWith("diffusers_load/") && !key.startsWith("pipeline_")) {
                        unmatched.add(key);
                    }
                }
                for (Path file : Fixtures.filesIn(variant.file("embeddings"))) {
                    String fileName = file.getFileName().toString();
                    ReadFile read = readAny(file);
                    assertTrue(!read.tensors().isEmpty(), file + " has no tensors");
                    for (Map.Entry<String, TensorData> tensor : read.tensors().entrySet()) {
                        String key = tensor.getKey().isEmpty() ? fileName : fileName + "/" + tensor.getKey();
                        TensorData actual = tensor.getValue();
                        SafetensorsEntry reference = expected.entry(key);
                        assertEquals(reference.dtype(), actual.dtype(), key);
                        assertArrayEquals(reference.intShape(), actual.shape(), key);
                        assertArrayEquals(expected.readBytes(key), actual.bytes(), key + " bytes");
                        unmatched.remove(key);
                        if (expected.contains(key + ".as_float32")) {
                            assertArrayEquals(expected.readFloats(key + ".as_float32"), actual.floats(), key);
                            unmatched.remove(key + ".as_float32");
                        }
                        compared++;
                    }
                }
            }
            assertEquals(Set.of(), unmatched, variant + ": expected tensors that no file produced");
        }
        assertTrue(compared > 0, "compared no tensor");
    }

    @Test
    void everyEmbeddingFileHasTheStructureEmbeddingsJsonDescribes() throws IOException {
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            JsonNode described = variant.json("embeddings.json").get("files");
            assertEquals(Fixtures.filesIn(variant.file("embeddings")).size(), described.size());
            for (JsonNode entry : described) {
                Path file = variant.file(entry.get("file").asText());
                ReadFile read = readAny(file);
                JsonNode expected = entry.get("expected");
                if (expected.size() == 1 && expected.has("")) {
                    assertShape(expected.get(""), read.root(), file + " root");
                    continue;
                }
                Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    Map<?, ?> root = assertInstanceOf(Map.class, read.root(), file.toString());
                    assertTrue(root.containsKey(field.getKey()), file + " lacks " + field.getKey());
                    assertMatches(field.getValue(), root.get(field.getKey()), file + ":" + field.getKey());
                }
            }
        }
    }

    /**
     * Every A1111-style file (a {@code string_to_param} dict) keeps its requires_grad flags and its keys in order;
     * one whose {@code string_to_param} is a pickled ParameterDict reads as a map of Parameters, named as
     * diffusers named it.
     */
    @Test
    void a1111FilesKeepTheirFlagsAndTheParameterDictBecomesAMap() throws IOException {
        int plain = 0;
        int parameterDicts = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (JsonNode entry : variant.json("embeddings.json").get("files")) {
                JsonNode expected = entry.get("expected");
                Path file = variant.file(entry.get("file").asText());
                if (expected == null || !expected.has("string_to_param") || file.toString().endsWith(".safetensors")) {
                    continue;
                }
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    Map<?, ?> root = assertInstanceOf(Map.class, checkpoint.root(), file.toString());
                    Map<?, ?> parameters = assertInstanceOf(Map.class, root.get("string_to_param"), file.toString());
                    for (Object value : parameters.values()) {
                        PickledTensor parameter = assertInstanceOf(PickledTensor.class, value, file.toString());
                        assertTrue(parameter.requiresGrad(), file + ": requires_grad");
                        if (parameter.parameter()) {
                            parameterDicts++;
                            JsonNode loaded = entry.get("diffusers_load_textual_inversion");
                            assertEquals(loaded.get("added_tokens").get(0).asText(), root.get("name"), file.toString());
                            assertInstanceOf(Long.class, root.get("step"), file.toString());
                        } else {
                            plain++;
                            List<String> keys = new ArrayList<>();
                            expected.fieldNames().forEachRemaining(keys::add);
                            assertEquals(keys, List.copyOf(root.keySet()), file.toString());
                        }
                    }
                }
            }
        }
        assertTrue(plain > 0 && parameterDicts > 0, "A1111 files: " + plain + " plain, " + parameterDicts + " ParameterDicts");
    }

    /**
     * A tensor saved as a view into a larger storage reads as its own elements: every fixture file with one, and
     * the training script's {@code --no_safe_serialization} output, against its safetensors twin.
     */
    @Test
    void viewsIntoALargerStorageAreResolvedByTheirOffset() throws IOException {
        int views = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path file : Fixtures.filesIn(variant.file("embeddings"))) {
                if (file.toString().endsWith(".safetensors")) {
                    continue;
                }
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    for (PickledTensor tensor : checkpoint.tensors().values()) {
                        if (tensor.storageOffset() > 0) {
                            assertTrue(tensor.storageOffset() + tensor.elementCount() <= tensor.storage().elementCount(),
                                    file + ": " + tensor);
                            views++;
                        }
                    }
                }
            }
            for (JsonNode run : variant.section("train").path("runs")) {
                for (JsonNode output : run.path("output_files")) {
                    Path bin = variant.file(output.asText());
                    if (!bin.toString().endsWith(".bin")) {
                        continue;
                    }
                    Path twin = bin.resolveSibling(bin.getFileName().toString().replaceFirst("\\.bin$", ".safetensors"));
                    try (TorchCheckpoint checkpoint = TorchCheckpoint.open(bin);
                            SafetensorsFile reference = SafetensorsFile.open(twin)) {
                        assertEquals(reference.names(), List.copyOf(checkpoint.tensors().keySet()));
                        for (String token : reference.names()) {
                            PickledTensor tensor = checkpoint.tensors().get(token);
                            assertTrue(tensor.storageOffset() > 0, "the .bin should be a view: " + tensor);
                            assertTrue(tensor.storage().elementCount() > tensor.elementCount());
                            assertArrayEquals(reference.entry(token).intShape(), tensor.intShape());
                            assertArrayEquals(reference.readFloats(token), checkpoint.readFloats(tensor), bin.toString());
                            views++;
                        }
                    }
                }
            }
        }
        assertTrue(views > 0, "no fixture holds a view into a larger storage");
    }

    /** Zip archives (they start with a local file header, PK\3\4) read as ZIP, every other pickle as LEGACY. */
    @Test
    void theLegacyFileIsDetectedAsLegacyAndTheOthersAsZip() throws IOException {
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path file : Fixtures.filesIn(variant.file("embeddings"))) {
                if (file.toString().endsWith(".safetensors")) {
                    continue;
                }
                byte[] head = java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(file), 4);
                boolean zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    assertEquals(zip ? TorchCheckpoint.Format.ZIP : TorchCheckpoint.Format.LEGACY, checkpoint.format(),
                            file.toString());
                }
            }
        }
    }

    static ReadFile readAny(Path file) throws IOException {
        if (file.getFileName().toString().endsWith(".safetensors")) {
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            Map<String, Object> root = new LinkedHashMap<>();
            try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
                for (SafetensorsEntry entry : safetensors.entries()) {
                    tensors.put(entry.name(), new TensorData(entry.dtype(), entry.intShape(),
                            safetensors.readBytes(entry.name()), false));
                    root.put(entry.name(), tensors.get(entry.name()));
                }
            }
            return new ReadFile(tensors, root);
        }
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            return new ReadFile(checkpoint.readAll(), checkpoint.root());
        }
    }

    /** JSON arrays of integers are tensor shapes; objects are dicts; everything else a scalar. */
    private static void assertMatches(JsonNode expected, Object actual, String where) {
        if (expected.isArray()) {
            assertShape(expected, actual, where);
        } else if (expected.isObject()) {
            Map<?, ?> map = assertInstanceOf(Map.class, actual, where);
            assertEquals(expected.size(), map.size(), where);
            expected.fields().forEachRemaining(f -> assertMatches(f.getValue(), map.get(f.getKey()), where + "/" + f.getKey()));
        } else if (expected.isNull()) {
            assertEquals(null, actual, where);
        } else if (expected.isIntegralNumber()) {
            assertEquals(expected.asLong(), actual, where);
        } else if (expected.isTextual()) {
            assertEquals(expected.asText(), actual, where);
        } else {
            fail("unexpected JSON " + expected + " at " + where);
        }
    }

    private static void assertShape(JsonNode expected, Object actual, String where) {
        long[] shape = new long[expected.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get(i).asLong();
        }
        if (actual instanceof PickledTensor tensor) {
            assertArrayEquals(shape, tensor.shape(), where);
        } else {
            TensorData data = assertInstanceOf(TensorData.class, actual, where);
            assertArrayEquals(shape, java.util.Arrays.stream(data.shape()).asLongStream().toArray(), where);
        }
    }
}

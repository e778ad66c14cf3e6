package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** Reads every embedding file of every golden variant and compares it with what PyTorch saved. */
class TorchCheckpointFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor read from a fixture file, and the Python value tree it came from. */
    private record ReadFile(Map<String, TensorData> tensors, Object root) {
    }

    @Test
    void everyEmbeddingFileMatchesTheExpectedTensorsExactly() throws IOException {
        int compared = 0;
        for (Path variant : Fixtures.goldenVariants()) {
            Set<String> unmatched = new HashSet<>();
            try (SafetensorsFile expected = SafetensorsFile.open(variant.resolve("embeddings_expected.safetensors"))) {
                for (String key : expected.names()) {
                    if (!key.startsWith("diffusers_load/") && !key.startsWith("pipeline_multi_vector.")) {
                        unmatched.add(key);
                    }
                }
                for (Path file : Fixtures.filesIn(variant.resolve("embeddings"))) {
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
        assertTrue(compared >= 30, "compared only " + compared + " tensors");
    }

    @Test
    void everyEmbeddingFileHasTheStructureEmbeddingsJsonDescribes() throws IOException {
        for (Path variant : Fixtures.goldenVariants()) {
            JsonNode described = JSON.readTree(variant.resolve("embeddings.json").toFile()).get("files");
            assertEquals(Fixtures.filesIn(variant.resolve("embeddings")).size(), described.size());
            for (JsonNode entry : described) {
                Path file = variant.resolve(entry.get("file").asText());
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

    @Test
    void a1111FilesKeepTheirFlagsAndTheParameterDictBecomesAMap() throws IOException {
        for (Path variant : Fixtures.goldenVariants()) {
            try (TorchCheckpoint a1111 = TorchCheckpoint.open(variant.resolve("embeddings/a1111_embedding.pt"))) {
                PickledTensor param = a1111.tensors().get("string_to_param/*");
                assertTrue(param.requiresGrad());
                assertEquals(false, param.parameter());
                Map<?, ?> root = (Map<?, ?>) a1111.root();
                assertEquals(List.of("string_to_token", "string_to_param", "name", "step", "sd_checkpoint",
                        "sd_checkpoint_name"), List.copyOf(root.keySet()));
            }
            try (TorchCheckpoint legacy = TorchCheckpoint.open(variant.resolve("embeddings/a1111_parameterdict.pt"))) {
                Map<?, ?> root = (Map<?, ?>) legacy.root();
                Map<?, ?> parameters = assertInstanceOf(Map.class, root.get("string_to_param"));
                assertEquals(Set.of("*"), parameters.keySet());
                PickledTensor parameter = assertInstanceOf(PickledTensor.class, parameters.get("*"));
                assertTrue(parameter.parameter() && parameter.requiresGrad());
                assertEquals("cat-toy", root.get("name"));
                assertEquals(500L, root.get("step"));
            }
        }
    }

    @Test
    void viewsIntoALargerStorageAreResolvedByTheirOffset() throws IOException {
        for (Path variant : Fixtures.goldenVariants()) {
            try (TorchCheckpoint view = TorchCheckpoint.open(variant.resolve("embeddings/storage_offset_view.bin"))) {
                PickledTensor tensor = view.tensors().get("<cat-toy>");
                int width = (int) tensor.shape()[1];
                assertEquals(7L * width, tensor.storageOffset());
                assertEquals(10L * width, tensor.storage().elementCount());
            }
            for (String run : List.of("single_constant", "single_linear_warmup2", "multi3_constant")) {
                Path folder = variant.resolve("train_outputs").resolve(run);
                Path bin = folder.resolve("learned_embeds.bin");
                if (!bin.toFile().exists()) {
                    continue;
                }
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(bin);
                        SafetensorsFile reference = SafetensorsFile.open(folder.resolve("learned_embeds.safetensors"))) {
                    assertEquals(reference.names(), List.copyOf(checkpoint.tensors().keySet()));
                    for (String token : reference.names()) {
                        PickledTensor tensor = checkpoint.tensors().get(token);
                        assertTrue(tensor.storageOffset() > 0, "the .bin should be a view: " + tensor);
                        assertTrue(tensor.storage().elementCount() > tensor.elementCount());
                        assertArrayEquals(reference.entry(token).intShape(), tensor.intShape());
                        assertArrayEquals(reference.readFloats(token), checkpoint.readFloats(tensor), bin.toString());
                    }
                }
            }
        }
    }

    @Test
    void theLegacyFileIsDetectedAsLegacyAndTheOthersAsZip() throws IOException {
        for (Path variant : Fixtures.goldenVariants()) {
            for (Path file : Fixtures.filesIn(variant.resolve("embeddings"))) {
                if (file.toString().endsWith(".safetensors")) {
                    continue;
                }
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    TorchCheckpoint.Format expected = file.getFileName().toString().startsWith("legacy_nonzip")
                            ? TorchCheckpoint.Format.LEGACY : TorchCheckpoint.Format.ZIP;
                    assertEquals(expected, checkpoint.format(), file.toString());
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

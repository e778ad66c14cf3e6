package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.TensorData;
import org.neologism.testsupport.Fixtures;
import org.neologism.trainer.model.single.MappedTensor;
import org.neologism.trainer.model.single.OriginalCheckpoint;
import org.neologism.trainer.model.single.OriginalLayout;
import org.neologism.trainer.model.single.SingleFileComponent;
import org.neologism.trainer.model.single.TensorTransform;

/**
 * Every tensor diffusers' from_single_file hands to each network, for every single-file fixture and both of its
 * EMA modes (the default, and {@code extract_ema=True}): the same source key, the same transform, and
 * bit-identical values (sha256 of the float32 bytes); every key not used is one diffusers ignores too.
 */
class SingleFileKeyMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** (variant, file) for every checkpoint file each variant's expected.json describes. */
    static List<Object[]> files() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        JsonNode index = JSON.readTree(Fixtures.root().resolve("single-file/index.json").toFile());
        for (Iterator<String> it = index.path("variants").fieldNames(); it.hasNext(); ) {
            String variant = it.next();
            JsonNode expected = expected(variant);
            for (Iterator<String> names = expected.path("files").fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (OriginalCheckpoint.isCheckpointFile(Path.of(name))) {
                    cases.add(new Object[] {variant, name});
                }
            }
        }
        assertTrue(!cases.isEmpty(), "no single-file fixtures");
        return cases;
    }

    static Path variantDir(String variant) throws Exception {
        JsonNode index = JSON.readTree(Fixtures.root().resolve("single-file/index.json").toFile());
        return Fixtures.root().resolve(index.path("variants").path(variant).path("dir").asText());
    }

    static JsonNode expected(String variant) throws Exception {
        return JSON.readTree(variantDir(variant).resolve("expected.json").toFile());
    }

    /** Every file of {@link #files()}, loaded with diffusers' default and with {@code extract_ema=True}. */
    static List<Object[]> filesAndEmaModes() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] file : files()) {
            cases.add(new Object[] {file[0], file[1], false});
            cases.add(new Object[] {file[0], file[1], true});
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} extract_ema={2}")
    @MethodSource("filesAndEmaModes")
    void everyTensorIsTheOneDiffusersLoads(String variant, String fileName, boolean extractEma) throws Exception {
        JsonNode expected = expected(variant);
        Path file = variantDir(variant).resolve(fileName);
        assertTrue(Files.isRegularFile(file), file + " is listed but missing");
        // extract_ema changes only a file that holds EMA weights; the fixtures mark those
        boolean emaFile = expected.path("files").path(fileName).path("ema").asBoolean(false);
        boolean fromEma = extractEma && emaFile;
        try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(file)) {
            OriginalLayout layout = OriginalLayout.of(checkpoint, extractEma);
            int checked = 0;
            for (Iterator<Map.Entry<String, JsonNode>> components = expected.path("components").fields();
                    components.hasNext(); ) {
                Map.Entry<String, JsonNode> component = components.next();
                OriginalLayout.Component which = component(component.getKey());
                List<MappedTensor> tensors = layout.tensors(which);
                Map<String, MappedTensor> byName = new HashMap<>();
                tensors.forEach(t -> byName.put(t.name(), t));
                assertEquals(component.getValue().size(), tensors.size(),
                        fileName + " " + component.getKey() + ": tensors mapped");
                SingleFileComponent weights = new SingleFileComponent(checkpoint, which.folder(), tensors, false);
                Map<String, WeightSource.Entry> entries = new HashMap<>();
                weights.entries().forEach(e -> entries.put(e.name(), e));
                for (Iterator<Map.Entry<String, JsonNode>> it = component.getValue().fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> tensor = it.next();
                    String what = fileName + " " + component.getKey() + "." + tensor.getKey();
                    JsonNode want = tensor.getValue();
                    MappedTensor got = byName.get(tensor.getKey());
                    assertNotNull(got, what + " is not mapped");
                    // only the UNet has EMA copies: the other components load the same tensors in both modes
                    boolean ema = fromEma && want.has("from_extract_ema");
                    assertEquals(want.path(ema ? "from_extract_ema" : "from").asText(), got.from(), what + ": source key");
                    assertTransform(what, want.path("transform"), got.transform(), checkpoint.shape(got.from()));
                    WeightSource.Entry entry = entries.get(tensor.getKey());
                    assertEquals(JSON.convertValue(want.path("shape"), List.class).toString(),
                            java.util.Arrays.toString(entry.shape()), what + ": shape");
                    DType stored = checkpoint.tensors().get(got.from()).dtype();
                    String field = (ema ? "sha256_extract_ema" : "sha256") + (stored == DType.F16 ? "_fp16" : "");
                    assertTrue(want.hasNonNull(field), what + ": the fixtures give no " + field);
                    assertEquals(want.path(field).asText(), float32Sha256(weights.bytes(entry), stored, entry.shape()),
                            what + ": value");
                    checked++;
                }
            }
            assertTrue(checked > 0, "nothing checked in " + fileName);
            assertUnusedAreIgnored(expected, fileName, layout, extractEma);
        }
    }

    private static OriginalLayout.Component component(String folder) {
        for (OriginalLayout.Component c : OriginalLayout.Component.values()) {
            if (c.folder().equals(folder)) {
                return c;
            }
        }
        throw new AssertionError("unknown component " + folder);
    }

    private static void assertTransform(String what, JsonNode want, TensorTransform got, long[] storedShape) {
        assertEquals(want.path("op").asText(), got.op(), what + ": transform");
        if (want.has("from_shape")) {
            assertEquals(JSON.convertValue(want.path("from_shape"), List.class).toString(),
                    java.util.Arrays.toString(storedShape), what + ": stored shape");
        }
        if (got instanceof TensorTransform.Rows rows) {
            assertEquals(want.path("start").asLong(), rows.start(), what + ": first row");
            assertEquals(want.path("stop").asLong(), rows.stop(), what + ": end row");
        }
    }

    /**
     * Keys no component takes must be ones diffusers ignores: by name, or by a pattern for the EMA file (its
     * EMA copies by default, the trained UNet weights with extract_ema).
     */
    private static void assertUnusedAreIgnored(JsonNode expected, String fileName, OriginalLayout layout,
            boolean extractEma) {
        JsonNode ignored = expected.path("ignored_by_diffusers");
        boolean ema = expected.path("files").path(fileName).path("ema").asBoolean(false);
        List<String> patterns = new ArrayList<>();
        if (ema) {
            ignored.path(extractEma ? "ema_file_extract_ema" : "ema_file_default").path("in_addition_to_main_files_list")
                    .fieldNames().forEachRemaining(patterns::add);
        }
        for (String key : layout.unused()) {
            boolean byName = ignored.path("main_files").has(key);
            boolean byPattern = patterns.stream().anyMatch(p -> p.endsWith("*")
                    ? key.startsWith(p.substring(0, p.length() - 1)) : key.equals(p));
            assertTrue(byName || byPattern, fileName + ": " + key + " is not used, but diffusers does not ignore it");
        }
    }

    /** numpy's {@code tensor.float().numpy().tobytes()}: little-endian float32. */
    static String float32Sha256(ByteBuffer bytes, DType dtype, long[] shape) throws Exception {
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        int[] dims = java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        float[] values = new TensorData(dtype, dims, raw, false).floats();
        ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putFloat(v);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.array()));
    }
}

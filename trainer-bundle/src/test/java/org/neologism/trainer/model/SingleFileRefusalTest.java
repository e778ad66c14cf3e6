package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.testsupport.Fixtures;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;

/**
 * Every damaged or hostile file of single-file/bad is refused with one message naming the file and the
 * problem (the key, the shape, the refused pickle global); a hostile pickle never runs.
 */
class SingleFileRefusalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode expected() throws Exception {
        return JSON.readTree(bad().resolve("expected.json").toFile());
    }

    static Path bad() {
        return Fixtures.root().resolve("single-file/bad");
    }

    static List<String> files() throws Exception {
        List<String> names = new ArrayList<>();
        expected().path("files").fieldNames().forEachRemaining(names::add);
        assertFalse(names.isEmpty(), "no bad files listed");
        return names;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void isRefusedWithTheProblemNamed(String name) throws Exception {
        JsonNode expected = expected();
        JsonNode described = expected.path("files").path(name);
        Path marker = Path.of(expected.path("marker").asText());
        Files.deleteIfExists(marker);
        // The files were cut from this variant: its folder gives the configs (diffusers' config=<folder>).
        String base = expected.path("base").asText().split(" ")[0];
        Path folder = Fixtures.root().resolve(SingleFileKeyMappingTest.expected(base).path("source_folder")
                .path("path").asText());
        Path file = bad().resolve(name);
        UnsupportedModelException refusal = assertThrows(UnsupportedModelException.class,
                () -> SingleFileModel.open(file, new SingleFileOptions(folder, null, null)));
        String message = refusal.getMessage();
        System.out.println(name + ": " + message);
        assertTrue(message.contains(file.toString()), "the message names the file: " + message);
        for (String field : List.of("key", "non_allowlisted_global")) {
            if (described.has(field)) {
                assertTrue(message.contains(described.path(field).asText()), "the message names "
                        + described.path(field).asText() + ": " + message);
            }
        }
        if (described.has("shape_in_file")) {
            assertTrue(message.contains(JSON.convertValue(described.path("shape_in_file"), List.class).toString()),
                    "the message gives the stored shape: " + message);
        }
        assertFalse(Files.exists(marker), "the pickle's payload ran");
    }

    /** Every EMA file of the single-file fixtures (expected.json marks them), by variant. */
    static List<Object[]> emaFiles() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : SingleFileKeyMappingTest.files()) {
            if (SingleFileKeyMappingTest.expected((String) c[0]).path("files").path((String) c[1]).path("ema")
                    .asBoolean(false)) {
                cases.add(c);
            }
        }
        assertFalse(cases.isEmpty(), "no EMA file among the single-file fixtures");
        return cases;
    }

    /**
     * Extracting EMA from a file that lacks one EMA copy is refused naming the copy (diffusers takes None and fails
     * on it); the trained weights of the same file still load.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("emaFiles")
    void aMissingEmaCopyIsRefusedNamingIt(String variant, String name) throws Exception {
        JsonNode unet = SingleFileKeyMappingTest.expected(variant).path("components").path("unet");
        String missing = unet.elements().next().path("from_extract_ema").asText();
        assertFalse(missing.isEmpty(), variant + ": expected.json gives no from_extract_ema");
        Path file = SingleFileKeyMappingTest.variantDir(variant).resolve(name);
        java.util.Map<String, org.neologism.trainer.model.single.OriginalCheckpoint.Stored> tensors =
                new java.util.LinkedHashMap<>();
        try (org.neologism.trainer.model.single.OriginalCheckpoint checkpoint =
                     org.neologism.trainer.model.single.OriginalCheckpoint.open(file)) {
            tensors.putAll(checkpoint.tensors());
        }
        assertTrue(tensors.remove(missing) != null, file + " has no " + missing);
        org.neologism.trainer.model.single.OriginalCheckpoint damaged =
                org.neologism.trainer.model.single.OriginalCheckpoint.inventory(file, tensors);
        UnsupportedModelException refusal = assertThrows(UnsupportedModelException.class,
                () -> org.neologism.trainer.model.single.OriginalLayout.of(damaged, true));
        System.out.println(name + " without " + missing + ": " + refusal.getMessage());
        assertTrue(refusal.getMessage().contains(file.toString()) && refusal.getMessage().contains(missing),
                refusal.getMessage());
        assertFalse(org.neologism.trainer.model.single.OriginalLayout.of(damaged, false).tensors(
                org.neologism.trainer.model.single.OriginalLayout.Component.UNET).isEmpty(), "trained weights load");
    }
}

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
}

package org.neologism.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDescriptionTest {

    @TempDir
    Path dir;

    private Path model(String name, int width, Integer secondWidth, String predictionType) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("model_index.json"), "{}");
        Files.createDirectories(folder.resolve("text_encoder"));
        Files.writeString(folder.resolve("text_encoder/config.json"), "{\"hidden_size\": " + width + "}");
        if (secondWidth != null) {
            Files.createDirectories(folder.resolve("text_encoder_2"));
            Files.writeString(folder.resolve("text_encoder_2/config.json"), "{\"hidden_size\": " + secondWidth + "}");
        }
        if (predictionType != null) {
            Files.createDirectories(folder.resolve("scheduler"));
            Files.writeString(folder.resolve("scheduler/scheduler_config.json"), "{\"prediction_type\": \"" + predictionType + "\"}");
        }
        return folder;
    }

    @Test
    void theFamilyFollowsTheTextEncoders() throws Exception {
        assertEquals("SD 1.x", ModelDescription.read(model("sd15", 768, null, null)).architecture());
        assertEquals("SD 2.x v-prediction", ModelDescription.read(model("sd21", 1024, null, "v_prediction")).architecture());
        ModelDescription sdxl = ModelDescription.read(model("sdxl", 768, 1280, "epsilon"));
        assertEquals("SDXL", sdxl.architecture());
        assertEquals(List.of(768, 1280), sdxl.tokenWidths());
        assertEquals(768, sdxl.tokenWidth());
    }

    @Test
    void aMissingOrBrokenConfigNamesTheFileAndTheFix() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException missing = assertThrows(IOException.class, () -> ModelDescription.read(empty));
        assertTrue(missing.getMessage().contains("there is no text_encoder/config.json"), missing.getMessage());
        Path broken = model("broken", 768, null, null);
        Files.writeString(broken.resolve("text_encoder/config.json"), "{\"hidden_size\": \"wide\"}");
        assertTrue(assertThrows(IOException.class, () -> ModelDescription.read(broken)).getMessage()
                .endsWith("has no positive integer hidden_size"));
        assertFalse(ModelDescription.readIfPossible(broken).isPresent());
    }

    @Test
    void everyFixtureModelIsDescribedWithItsIndexedWidth() throws Exception {
        Path models = org.neologism.testsupport.Fixtures.root().resolve("models");
        try (Stream<Path> folders = Files.list(models)) {
            for (Path folder : folders.filter(f -> Files.isRegularFile(f.resolve("model_index.json"))).toList()) {
                ModelDescription description = ModelDescription.read(folder);
                assertTrue(description.tokenWidth() > 0, folder.toString());
                assertEquals(Files.isDirectory(folder.resolve("text_encoder_2")), description.hasSecondEncoder(), folder.toString());
            }
        }
    }
}

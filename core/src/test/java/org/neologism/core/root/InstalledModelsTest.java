package org.neologism.core.root;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstalledModelsTest {

    @TempDir
    Path dir;

    private RootFolder root() throws IOException {
        return new RootFolder(dir).createLayout();
    }

    private static Path diffusers(Path folder, int width) throws IOException {
        Files.createDirectories(folder.resolve("text_encoder"));
        Files.writeString(folder.resolve("model_index.json"), "{}");
        Files.writeString(folder.resolve("text_encoder/config.json"), "{\"hidden_size\": " + width + "}");
        return folder;
    }

    @Test
    void readsInvokeAi2ModelsYamlWithPathsUnderTheRoot() throws IOException {
        RootFolder root = root();
        diffusers(dir.resolve("models/diffusers/sd15"), 768);
        Files.writeString(root.modelsYaml(), """
                stable-diffusion-1.5:
                  description: Stable Diffusion version 1.5 diffusers model (4.27 GB)
                  format: diffusers
                  path: models/diffusers/sd15
                  default: true
                inpainting-1.5:
                  description: RunwayML SD 1.5 inpainting (4.27 GB)
                  format: ckpt
                  config: configs/stable-diffusion/v1-inpainting-inference.yaml
                  weights: models/ldm/stable-diffusion-v1/sd-v1-5-inpainting.ckpt
                hub-only:
                  format: diffusers
                  repo_id: stabilityai/stable-diffusion-2-1
                """);
        InstalledModels models = InstalledModels.of(root);
        assertEquals(List.of("stable-diffusion-1.5", "inpainting-1.5", "hub-only"),
                models.all().stream().map(InstalledModel::name).toList());
        InstalledModel sd15 = models.find("stable-diffusion-1.5").orElseThrow();
        assertEquals(dir.resolve("models/diffusers/sd15"), sd15.trainablePath());
        assertEquals(OptionalInt.of(768), sd15.tokenWidth());
        assertEquals("SD 1.x", sd15.architecture());
        assertEquals("Stable Diffusion version 1.5 diffusers model (4.27 GB)", sd15.description());
        assertEquals(List.of(sd15), models.trainable());
    }

    @Test
    void aCheckpointEntryWhoseWeightsAreMissingIsRefusedNamingTheFile() throws IOException {
        RootFolder root = root();
        Files.writeString(root.modelsYaml(), "old:\n  format: ckpt\n  weights: models/old.ckpt\n"
                + "  config: configs/stable-diffusion/v1-inference.yaml\n");
        InstalledModel old = InstalledModels.of(root).find("old").orElseThrow();
        assertFalse(old.isTrainable());
        assertEquals(dir.resolve("configs/stable-diffusion/v1-inference.yaml"), old.config());
        IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class, old::trainablePath);
        assertTrue(refusal.getMessage().contains("--model old is a ckpt model"), refusal.getMessage());
        assertTrue(refusal.getMessage().contains(dir.resolve("models/old.ckpt") + " (" + root.modelsYaml()
                + ") do not exist"), refusal.getMessage());
    }

    @Test
    void anEntryWithoutPathIsRefusedBecauseNothingIsDownloaded() throws IOException {
        RootFolder root = root();
        Files.writeString(root.modelsYaml(), "hub:\n  format: diffusers\n  repo_id: a/b\n");
        IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
                () -> InstalledModels.of(root).find("hub").orElseThrow().trainablePath());
        assertTrue(refusal.getMessage().contains("never downloads"), refusal.getMessage());
    }

    @Test
    void invokeAi3PathsAreUnderTheModelsFolderAndMetadataIsSkipped() throws IOException {
        RootFolder root = root();
        diffusers(dir.resolve("models/sd-2/main/sd21"), 1024);
        Files.createDirectories(dir.resolve("models/sd-2/main/sd21/scheduler"));
        Files.writeString(dir.resolve("models/sd-2/main/sd21/scheduler/scheduler_config.json"),
                "{\"prediction_type\": \"v_prediction\"}");
        Files.writeString(root.modelsYaml(), """
                __metadata__:
                  version: 3.0.0
                sd-2/main/stable-diffusion-2-1:
                  path: sd-2/main/sd21
                  format: diffusers
                """);
        InstalledModels models = InstalledModels.of(root);
        assertEquals(1, models.all().size());
        InstalledModel sd21 = models.all().get(0);
        assertEquals(dir.resolve("models/sd-2/main/sd21"), sd21.trainablePath());
        assertEquals("SD 2.x v-prediction", sd21.architecture());
        assertEquals(OptionalInt.of(1024), sd21.tokenWidth());
    }

    @Test
    void diffusersFoldersUnderModelsAreListedOnceAfterTheYamlEntries() throws IOException {
        RootFolder root = root();
        diffusers(dir.resolve("models/tiny"), 32);
        diffusers(dir.resolve("models/listed"), 768);
        Files.createDirectories(dir.resolve("models/not-a-model"));
        Files.writeString(root.modelsYaml(), "mine:\n  format: diffusers\n  path: models/listed\n");
        assertEquals(List.of("mine", "tiny"), InstalledModels.of(root).all().stream().map(InstalledModel::name).toList());
        assertEquals("SD-like", InstalledModels.of(root).find("tiny").orElseThrow().architecture());
    }

    @Test
    void noModelsYamlMeansOnlyTheFolders() throws IOException {
        assertTrue(InstalledModels.of(root()).all().isEmpty());
    }

    @Test
    void malformedYamlIsAnErrorNamingTheFile() throws IOException {
        RootFolder root = root();
        Files.writeString(root.modelsYaml(), "a: [unclosed\n");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> InstalledModels.of(root));
        assertTrue(error.getMessage().startsWith(root.modelsYaml() + " is not valid YAML"), error.getMessage());
    }
}

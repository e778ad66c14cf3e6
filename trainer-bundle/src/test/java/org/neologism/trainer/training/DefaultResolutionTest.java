package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.training.TrainingRequest;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * {@code --resolution} not given trains an SDXL model at its own size ({@code unet.sample_size · 2^(vae blocks - 1)},
 * read here from the configs), and SD 1.x/2.x at 512 as diffusers' textual_inversion.py does; a given value always wins.
 */
class DefaultResolutionTest {

    @TestFactory
    List<DynamicTest> aRequestWithoutResolutionTakesTheModelsAndAGivenOneWins() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ModelVariant variant : Fixtures.modelVariants()) {
            tests.add(DynamicTest.dynamicTest(variant.name(), () -> {
                DiffusersFolder model = DiffusersFolder.open(variant.folder(), WeightFiles.OPENER);
                int expected = model.isSdxl() ? ownSize(variant.folder()) : 512;
                assertEquals(expected, TextualInversionRun.defaultResolution(model), variant + " default resolution");

                TrainingRequest notGiven = TrainingRequest.builder("<t>").build();
                assertNull(notGiven.resolution(), "a request's resolution is not given until set");
                assertFalse(notGiven.validate().stream().anyMatch(problem -> problem.contains("--resolution")));
                assertEquals(expected, notGiven.withModelResolution(TextualInversionRun.defaultResolution(model)).resolution());
                for (int given : new int[] {256, 512, 1024}) {
                    TrainingRequest request = TrainingRequest.builder("<t>").resolution(given).build();
                    assertEquals(given, request.withModelResolution(TextualInversionRun.defaultResolution(model)).resolution(),
                            variant + ": --resolution " + given + " wins");
                }
            }));
        }
        return tests;
    }

    private static int ownSize(Path folder) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode unet = json.readTree(folder.resolve("unet/config.json").toFile());
        JsonNode vae = json.readTree(folder.resolve("vae/config.json").toFile());
        return unet.path("sample_size").asInt() * (1 << (vae.path("block_out_channels").size() - 1));
    }
}

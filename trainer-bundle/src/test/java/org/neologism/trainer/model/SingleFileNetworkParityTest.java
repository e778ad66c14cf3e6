package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.single.OriginalCheckpoint;
import org.neologism.trainer.model.single.OriginalLayout;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;

/**
 * Networks loaded straight from a float32 single file, with the diffusers folder's configs (diffusers'
 * {@code from_single_file(config=folder)}), reproduce the folder's golden outputs: text encoder(s), UNet (with
 * SDXL's added conditions), VAE, and the tokenizers are the folder's.
 */
class SingleFileNetworkParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    /**
     * (variant, file) for every float32 checkpoint of a variant that has golden outputs, of every family whose
     * networks this build has ({@link org.neologism.core.root.CheckpointFamily#trainable()}).
     */
    static List<Object[]> files() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : SingleFileKeyMappingTest.files()) {
            String variant = (String) c[0];
            JsonNode expected = SingleFileKeyMappingTest.expected(variant);
            boolean float32 = expected.path("files").path((String) c[1]).path("dtype").asText().startsWith("float32");
            boolean golden = goldenOf(variant) != null;
            if (float32 && golden && trainable(variant, (String) c[1])) {
                cases.add(c);
            }
        }
        return cases;
    }

    /**
     * The golden variant computed from the same model folder as single-file {@code variant} (its expected.json's
     * source_folder, the golden index's model_dir), or null: the two are paired by data, not by folder name.
     */
    static GoldenVariant goldenOf(String variant) throws Exception {
        Path folder = Fixtures.root().resolve(SingleFileKeyMappingTest.expected(variant).path("source_folder").path("path")
                .asText()).toRealPath();
        for (GoldenVariant golden : Fixtures.goldenVariants()) {
            if (golden.modelDir().toRealPath().equals(folder)) {
                return golden;
            }
        }
        return null;
    }

    private static boolean trainable(String variant, String name) throws Exception {
        try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(
                SingleFileKeyMappingTest.variantDir(variant).resolve(name))) {
            return OriginalLayout.of(checkpoint).family().trainable();
        }
    }

    private static SingleFileModel open(String variant, String name) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        Path folder = Fixtures.root().resolve(expected.path("source_folder").path("path").asText());
        Path file = SingleFileKeyMappingTest.variantDir(variant).resolve(name);
        return SingleFileModel.open(file, new SingleFileOptions(folder, null, null));
    }

    /** (variant, file, encoder folder) for every text encoder each file of {@link #files()} holds. */
    static List<Object[]> textEncoders() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : files()) {
            try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(
                    SingleFileKeyMappingTest.variantDir((String) c[0]).resolve((String) c[1]))) {
                for (OriginalLayout.Component component : OriginalLayout.of(checkpoint).components()) {
                    if (component.folder().startsWith("text_encoder")) {
                        cases.add(new Object[] {c[0], c[1], component.folder()});
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("textEncoders")
    void textEncoderMatchesTransformers(String variant, String name, String encoder) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(goldenOf(variant), encoder + ".safetensors")) {
            org.neologism.trainer.model.DiffusersFolder pipeline = open(variant, name).pipeline();
            ClipTextModel model = encoder.equals("text_encoder_2")
                    ? pipeline.loadTextEncoder2(manager, DataType.FLOAT32, ComposedKernels.INSTANCE)
                    : pipeline.loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            ClipTextModel.Output out = model.encode(GoldenTensors.array(manager, golden, "input_ids"), null);
            String p = variant + " " + name + " " + encoder + " ";
            assertClose(p + "last_hidden_state", golden.readFloats("last_hidden_state"), out.lastHiddenState(), 1e-5, 1e-4);
            if (golden.contains("text_embeds")) {
                // SDXL's pooled projection: the transposed text_projection at work
                assertClose(p + "text_embeds", golden.readFloats("text_embeds"), out.textEmbeds(), 1e-5, 1e-4);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void unetMatchesDiffusers(String variant, String name) throws Exception {
        JsonNode index = goldenOf(variant).index();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(goldenOf(variant), "unet.safetensors")) {
            UNet2DCondition unet = open(variant, name).pipeline().loadUNet(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            int cases = 0;
            for (JsonNode c : index.path("sections").path("unet").path("cases")) {
                String caseName = c.path("name").asText();
                // SDXL's text_time conditioning: the pooled text embedding and the six size/crop numbers
                AddedConditions added = unet.needsAddedConditions() ? new AddedConditions(
                        GoldenTensors.array(manager, golden, caseName + ".text_embeds"),
                        GoldenTensors.array(manager, golden, caseName + ".time_ids")) : null;
                NDArray out = unet.forward(GoldenTensors.array(manager, golden, caseName + ".sample"),
                        GoldenTensors.array(manager, golden, caseName + ".timesteps"),
                        GoldenTensors.array(manager, golden, caseName + ".encoder_hidden_states"), added);
                assertClose(variant + " " + name + " " + caseName, golden.readFloats(caseName + ".out"), out, 1e-5, 1e-4);
                cases++;
            }
            assertTrue(cases > 0, "no UNet cases for " + variant);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void vaeMatchesDiffusers(String variant, String name) throws Exception {
        JsonNode index = goldenOf(variant).index();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(goldenOf(variant), "vae.safetensors")) {
            AutoencoderKL vae = open(variant, name).pipeline().loadVae(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            for (JsonNode c : index.path("sections").path("vae").path("cases")) {
                String caseName = c.path("name").asText();
                LatentDistribution latents = vae.encode(GoldenTensors.array(manager, golden, caseName + ".images"));
                String p = variant + " " + name + " " + caseName + " ";
                assertClose(p + "mean", golden.readFloats(caseName + ".latent_dist.mean"), latents.mean(), 1e-5, 1e-4);
                if (golden.contains(caseName + ".decode_of_mean")) {
                    assertClose(p + "decode_of_mean", golden.readFloats(caseName + ".decode_of_mean"),
                            vae.decode(latents.mean()), 1e-5, 1e-4);
                }
            }
        }
    }

    /**
     * A single file read as a pipeline names the pipeline of the folder it was made from, so what depends on the
     * pipeline class (SDXL's two encoders, its zeros for an empty prompt) treats both alike.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void pipelineIndexIsTheFoldersPipeline(String variant, String name) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        Path folder = Fixtures.root().resolve(expected.path("source_folder").path("path").asText());
        org.neologism.trainer.model.config.ModelIndex fromFile = open(variant, name).pipeline().index();
        org.neologism.trainer.model.config.ModelIndex fromFolder = org.neologism.trainer.model.DiffusersFolder.open(
                folder, WeightFiles.OPENER).index();
        String what = variant + " " + name + " model_index ";
        assertEquals(fromFolder.className(), fromFile.className(), what + "_class_name");
        assertEquals(fromFolder.dualTextEncoders(), fromFile.dualTextEncoders(), what + "text_encoder_2");
        assertEquals(fromFolder.zerosForEmptyPrompt(), fromFile.zerosForEmptyPrompt(), what + "force_zeros_for_empty_prompt");
    }

    /** With the folder as config, the folder's tokenizers are the ones used (diffusers' path A), one per encoder. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void tokenizersComeFromTheConfigFolder(String variant, String name) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        Path folder = Fixtures.root().resolve(expected.path("source_folder").path("path").asText());
        org.neologism.trainer.model.DiffusersFolder fromFile = open(variant, name).pipeline();
        org.neologism.trainer.model.DiffusersFolder fromFolder = org.neologism.trainer.model.DiffusersFolder.open(
                folder, WeightFiles.OPENER);
        List<ClipTokenizer> fileTokenizers = fromFile.tokenizers();
        List<ClipTokenizer> folderTokenizers = fromFolder.tokenizers();
        assertEquals(folderTokenizers.size(), fileTokenizers.size(), variant + " " + name + ": one tokenizer per encoder");
        // the second SDXL tokenizer differs from the first only in padding: the padded ids show it
        String prompt = "a photo of a toy on the beach";
        for (int i = 0; i < folderTokenizers.size(); i++) {
            assertArrayEquals(folderTokenizers.get(i).encodePadded(prompt), fileTokenizers.get(i).encodePadded(prompt),
                    variant + " " + name + " tokenizer " + i);
        }
    }
}

package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.single.OriginalCheckpoint;
import org.neologism.trainer.model.single.OriginalLayout;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;

/**
 * Networks loaded straight from a float32 single file, with the diffusers folder's configs (diffusers'
 * {@code from_single_file(config=folder)}), reproduce the folder's golden outputs: text encoder, UNet, VAE.
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
    static String goldenOf(String variant) throws Exception {
        Path folder = Fixtures.root().resolve(SingleFileKeyMappingTest.expected(variant).path("source_folder").path("path")
                .asText()).toRealPath();
        for (org.neologism.testsupport.GoldenVariant golden : org.neologism.testsupport.Fixtures.goldenVariants()) {
            if (golden.modelDir().toRealPath().equals(folder)) {
                return golden.name();
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

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void textEncoderMatchesTransformers(String variant, String name) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = Fixtures.golden(goldenOf(variant), "text_encoder.safetensors")) {
            ClipTextModel model = open(variant, name).pipeline()
                    .loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            NDArray out = model.forward(GoldenTensors.array(manager, golden, "input_ids"));
            assertClose(variant + " " + name + " last_hidden_state", golden.readFloats("last_hidden_state"), out, 1e-5, 1e-4);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void unetMatchesDiffusers(String variant, String name) throws Exception {
        JsonNode index = JSON.readTree(Fixtures.root().resolve("golden").resolve(goldenOf(variant)).resolve("index.json").toFile());
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = Fixtures.golden(goldenOf(variant), "unet.safetensors")) {
            UNet2DCondition unet = open(variant, name).pipeline().loadUNet(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            int cases = 0;
            for (JsonNode c : index.path("sections").path("unet").path("cases")) {
                String caseName = c.path("name").asText();
                NDArray out = unet.forward(GoldenTensors.array(manager, golden, caseName + ".sample"),
                        GoldenTensors.array(manager, golden, caseName + ".timesteps"),
                        GoldenTensors.array(manager, golden, caseName + ".encoder_hidden_states"));
                assertClose(variant + " " + name + " " + caseName, golden.readFloats(caseName + ".out"), out, 1e-5, 1e-4);
                cases++;
            }
            assertTrue(cases > 0, "no UNet cases for " + variant);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void vaeMatchesDiffusers(String variant, String name) throws Exception {
        JsonNode index = JSON.readTree(Fixtures.root().resolve("golden").resolve(goldenOf(variant)).resolve("index.json").toFile());
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = Fixtures.golden(goldenOf(variant), "vae.safetensors")) {
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

    /** With the folder as config, the folder's tokenizer is the one used (diffusers' path A). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void tokenizerComesFromTheConfigFolder(String variant, String name) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        Path folder = Fixtures.root().resolve(expected.path("source_folder").path("path").asText());
        ClipTokenizer fromFile = open(variant, name).pipeline().tokenizer();
        ClipTokenizer fromFolder = ClipTokenizer.load(folder.resolve("tokenizer"));
        String prompt = "a photo of a toy on the beach";
        assertArrayEquals(fromFolder.encodePadded(prompt), fromFile.encodePadded(prompt));
    }
}

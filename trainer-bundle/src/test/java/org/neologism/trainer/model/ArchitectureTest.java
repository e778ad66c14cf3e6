package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.DType;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.create.Architecture;
import org.neologism.trainer.model.create.ClipVocabulary;
import org.neologism.trainer.model.create.RandomModelWriter;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** The architectures ti:model create writes have the documented sizes, and written folders load and run. */
class ArchitectureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static <T> T config(Map<String, Object> map, Class<T> type) {
        return ConfigFiles.mapper().convertValue(map, type);
    }

    private static long unetParameters(Architecture a) {
        return new UNet2DCondition(config(a.unetConfig(), UNetConfig.class).validate(a.id()), ComposedKernels.INSTANCE)
                .parameterCount();
    }

    /** SDXL base 1.0 as stabilityai ships it, counted from the configs (nothing is allocated). */
    @Test
    void sdxlHasTheRealParameterCounts() {
        assertEquals(2_567_463_684L, unetParameters(Architecture.SDXL));
        assertEquals(123_060_480L, new ClipTextModel(config(Architecture.SDXL.textEncoderConfig(), TextEncoderConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
        assertEquals(694_659_840L, new ClipTextModel(config(Architecture.SDXL.textEncoder2Config(), TextEncoderConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
        assertEquals(83_653_863L, new AutoencoderKL(config(Architecture.SDXL.vaeConfig(), VaeConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
    }

    @Test
    void sd15AndSd21HaveTheRealParameterCounts() {
        assertEquals(859_520_964L, unetParameters(Architecture.SD15));
        assertEquals(865_910_724L, unetParameters(Architecture.SD21));
        assertEquals(123_060_480L, new ClipTextModel(config(Architecture.SD15.textEncoderConfig(), TextEncoderConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
        assertEquals(340_387_840L, new ClipTextModel(config(Architecture.SD21.textEncoderConfig(), TextEncoderConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
        assertEquals(83_653_863L, new AutoencoderKL(config(Architecture.SD15.vaeConfig(), VaeConfig.class),
                ComposedKernels.INSTANCE).parameterCount());
        // diffusers' vae_scale_factor for SD's four VAE blocks: 512 px images, 64×64 latents.
        assertEquals(8, config(Architecture.SD15.vaeConfig(), VaeConfig.class).scaleFactor());
    }

    /** ti:model create's tiny architectures have the sizes of the tiny parity models (fixtures README). */
    @Test
    void tinyArchitecturesHaveTheParityModelsSizes() {
        assertParameters(Architecture.TINY_SD1, 68_473L, 1_106_212L, 658_375L);
        assertParameters(Architecture.TINY_SD2, 68_704L, 1_466_500L, 732_743L);
    }

    private static void assertParameters(Architecture a, long textEncoder, long unet, long vae) {
        assertEquals(unet, unetParameters(a), a + " UNet");
        assertEquals(textEncoder, new ClipTextModel(config(a.textEncoderConfig(), TextEncoderConfig.class),
                ComposedKernels.INSTANCE).parameterCount(), a + " text encoder");
        assertEquals(vae, new AutoencoderKL(config(a.vaeConfig(), VaeConfig.class), ComposedKernels.INSTANCE)
                .parameterCount(), a + " VAE");
    }

    static List<GoldenVariant> variants() {
        return Fixtures.goldenVariants();
    }

    /** Every fixture model loads with the parameter counts its index.json records. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyFixtureModelHasTheParameterCountsOfItsIndex(GoldenVariant variant) throws Exception {
        // The SD 1.x/2.x indexes call the counts num_params, the SDXL one params.
        JsonNode model = variant.index().path("model");
        JsonNode counts = model.has("num_params") ? model.path("num_params") : model.path("params");
        ModelSummary fixture = ModelSummary.of(DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER));
        assertEquals(counts.path("unet").asLong(), fixture.unetParameters(), variant + " UNet");
        assertEquals(counts.path("text_encoder").asLong() + counts.path("text_encoder_2").asLong(0),
                fixture.textEncoderParameters(), variant + " text encoders");
        assertEquals(counts.path("vae").asLong(), fixture.vaeParameters(), variant + " VAE");
    }

    @Test
    void generatedVocabularyHasClipLayout() {
        ClipVocabulary v = new ClipVocabulary(1000);
        Map<String, Integer> vocab = v.vocab();
        assertEquals(1000, vocab.size());
        assertEquals(320, vocab.get("a</w>"), "byte tokens at CLIP's ids");
        assertEquals(998, vocab.get(ClipVocabulary.START));
        assertEquals(999, vocab.get(ClipVocabulary.END));
        assertEquals(49408, new ClipVocabulary(49408).vocab().size());
        assertTrue(v.mergesText().startsWith("#version: 0.2\n"));
    }

    @Test
    void createdTinyModelLoadsAndRuns(@TempDir Path dir) throws Exception {
        for (Architecture a : List.of(Architecture.TINY_SD1, Architecture.TINY_SD2, Architecture.TINY_SDXL)) {
            Path root = dir.resolve(a.id());
            DiffusersFolder folder = new RandomModelWriter(a, 7, DType.F32).write(root);
            assertTrue(Files.isRegularFile(root.resolve("tokenizer/vocab.json")));
            try (NDManager manager = new TorchEngine().newManager()) {
                assertEquals(a.sdxl(), folder.isSdxl(), a + " is SDXL");
                TextConditioner text = folder.loadTextConditioner(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
                UNet2DCondition unet = folder.loadUNet(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
                AutoencoderKL vae = folder.loadVae(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
                NDArray ids = manager.arange(0L, 77L).reshape(1, 77);
                Conditioning c = text.condition(java.util.Collections.nCopies(text.encoders().size(), ids), null);
                NDArray latents = vae.encode(manager.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(1, 3, 32, 32))).mean();
                // SDXL's time ids: original size, crop top-left, target size, as its pipeline forms them.
                AddedConditions added = unet.needsAddedConditions() ? new AddedConditions(c.pooledPromptEmbeds(),
                        manager.create(new float[] {32, 32, 0, 0, 32, 32}, new ai.djl.ndarray.types.Shape(1, 6))) : null;
                NDArray out = unet.forward(latents, manager.create(new long[] {500}), c.promptEmbeds(), added);
                assertEquals(latents.getShape(), out.getShape());
                assertTrue(Float.isFinite(out.abs().sum().getFloat()) && out.abs().sum().getFloat() > 0);
            }
            // Same seed, same weights: a second folder is byte-identical.
            Path again = dir.resolve(a.id() + "-again");
            new RandomModelWriter(a, 7, DType.F32).write(again);
            assertEquals(-1L, Files.mismatch(root.resolve("unet/diffusion_pytorch_model.safetensors"),
                    again.resolve("unet/diffusion_pytorch_model.safetensors")));
        }
    }
}

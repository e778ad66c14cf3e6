package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tensors.SafetensorsWriter;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** Weight files as found in the wild: fp16 variants, bf16, legacy VAE names; and configs that must be refused. */
class WeightFormatsTest {

    private static final GoldenVariant VARIANT = Fixtures.anySupportedGoldenVariant();
    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    /** Copies the fixture model folder, rewriting one component's weight file. */
    private static Path copyWith(Path dir, String component, String newName, DType dtype, UnaryOperator<String> rename)
            throws IOException {
        return copyWith(dir, VARIANT, component, newName, dtype, rename);
    }

    private static Path copyWith(Path dir, GoldenVariant variant, String component, String newName, DType dtype,
            UnaryOperator<String> rename) throws IOException {
        Path source = variant.modelDir();
        Path target = dir.resolve("model");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path t = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (!f.toString().endsWith(".safetensors") || !f.getParent().getFileName().toString().equals(component)) {
                    Files.copy(f, t);
                } else {
                    SafetensorsWriter writer = new SafetensorsWriter();
                    try (SafetensorsFile in = SafetensorsFile.open(f)) {
                        for (SafetensorsEntry e : in.entries()) {
                            writer.addFloats(rename.apply(e.name()), dtype, e.intShape(), in.readFloats(e.name()));
                        }
                    }
                    writer.write(t.resolveSibling(newName));
                }
            }
        }
        return target;
    }

    /** SDXL's recorded text_embeds and time_ids (diffusers' added_cond_kwargs), or none. */
    private static AddedConditions addedConditions(NDManager manager, SafetensorsFile golden) throws IOException {
        return golden.contains("main.text_embeds") ? new AddedConditions(GoldenTensors.array(manager, golden, "main.text_embeds"),
                GoldenTensors.array(manager, golden, "main.time_ids")) : null;
    }

    static java.util.List<Object[]> kernelCases() {
        return KernelChoice.crossVariants();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("kernelCases")
    void fp16VariantFileLoadsAndRunsInFloat16(GoldenVariant variant, String kernelName, @TempDir Path dir) throws Exception {
        Path model = copyWith(dir, variant, "unet", "diffusion_pytorch_model.fp16.safetensors", DType.F16, n -> n);
        assertTrue(Files.notExists(model.resolve("unet/diffusion_pytorch_model.safetensors")));
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "unet.safetensors")) {
            DiffusersFolder folder = DiffusersFolder.open(model, WeightFiles.OPENER);
            UNet2DCondition half = folder.loadUNet(manager, DataType.FLOAT16, KernelChoice.kernels(kernelName, manager));
            NDArray out = half.forward(GoldenTensors.array(manager, golden, "main.sample"),
                    GoldenTensors.array(manager, golden, "main.timesteps"),
                    GoldenTensors.array(manager, golden, "main.encoder_hidden_states"), addedConditions(manager, golden));
            assertEquals(DataType.FLOAT16, out.getDataType());
            // fp16 weights and activations: ~3 significant digits, so compare with the fp32 reference loosely.
            assertClose(variant + " " + kernelName + " fp16 UNet vs fp32 reference", golden.readFloats("main.out"), out, 2e-2, 2e-2);
            // The same fp16 file held as float32 computes in float32: only the weight rounding differs.
            UNet2DCondition widened = folder.loadUNet(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            NDArray out32 = widened.forward(GoldenTensors.array(manager, golden, "main.sample"),
                    GoldenTensors.array(manager, golden, "main.timesteps"),
                    GoldenTensors.array(manager, golden, "main.encoder_hidden_states"), addedConditions(manager, golden));
            assertEquals(DataType.FLOAT32, out32.getDataType());
            assertClose(variant + " fp16 weights in fp32", golden.readFloats("main.out"), out32, 1e-2, 1e-2);
        }
    }

    @Test
    void pytorchBinTextEncoderGivesTheSameStates(@TempDir Path dir) throws Exception {
        Path model = copyWith(dir, "none", "", DType.F32, n -> n);
        Path safetensors = model.resolve("text_encoder/model.safetensors");
        java.util.Map<String, Object> stateDict = new java.util.LinkedHashMap<>();
        try (SafetensorsFile in = SafetensorsFile.open(safetensors)) {
            for (SafetensorsEntry e : in.entries()) {
                stateDict.put(e.name(), org.neologism.core.tensors.TensorData.ofFloats(DType.F16, e.intShape(),
                        in.readFloats(e.name())));
            }
        }
        Files.delete(safetensors);
        org.neologism.core.tensors.TorchCheckpointWriter.write(model.resolve("text_encoder/pytorch_model.bin"), stateDict);
        try (NDManager manager = torch.newManager();
                SafetensorsFile golden = GoldenTensors.golden(VARIANT, "text_encoder.safetensors")) {
            DiffusersFolder folder = DiffusersFolder.open(model, WeightFiles.OPENER);
            assertTrue(folder.weightFile("text_encoder", "model").endsWith("pytorch_model.bin"));
            NDArray out = folder.loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE)
                    .forward(GoldenTensors.array(manager, golden, "input_ids"));
            // fp16-rounded weights: close to the fp32 reference, not equal.
            assertClose(VARIANT + " text encoder from fp16 .bin", golden.readFloats("last_hidden_state"), out, 1e-2, 1e-2);
        }
    }

    @Test
    void oldTransformersPositionIdsBufferIsIgnored(@TempDir Path dir) throws Exception {
        Path model = copyWith(dir, "none", "", DType.F32, n -> n);
        Path weights = model.resolve("text_encoder/model.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile in = SafetensorsFile.open(weights)) {
            long[] positions = new long[77];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            writer.addLongs("text_model.embeddings.position_ids", DType.I64, new int[] {1, 77}, positions);
            for (SafetensorsEntry e : in.entries()) {
                writer.addFloats(e.name(), DType.F32, e.intShape(), in.readFloats(e.name()));
            }
        }
        writer.write(weights);
        try (NDManager manager = torch.newManager();
                SafetensorsFile golden = GoldenTensors.golden(VARIANT, "text_encoder.safetensors")) {
            NDArray out = DiffusersFolder.open(model, WeightFiles.OPENER)
                    .loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE)
                    .forward(GoldenTensors.array(manager, golden, "input_ids"));
            assertClose(VARIANT + " text encoder with a position_ids buffer", golden.readFloats("last_hidden_state"), out,
                    1e-5, 1e-4);
        }
    }

    @Test
    void bf16WeightsAreWidenedExactlyWithoutABf16Array(@TempDir Path dir) throws Exception {
        Path model = copyWith(dir, "vae", "diffusion_pytorch_model.safetensors", DType.BF16, n -> n);
        try (NDManager manager = torch.newManager(); SafetensorsFile bf16 = SafetensorsFile.open(
                model.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            AutoencoderKL vae = DiffusersFolder.open(model, WeightFiles.OPENER).loadVae(manager, DataType.FLOAT32,
                    ComposedKernels.INSTANCE);
            String name = "encoder.conv_in.weight";
            float[] expected = bf16.readFloats(name);
            float[] loaded = vae.namedParameters().get(name).array().toFloatArray();
            assertEquals(expected.length, loaded.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], loaded[i], 0f, name + "[" + i + "]");
            }
        }
    }

    @Test
    void legacyVaeAttentionNamesGiveTheSameLatents(@TempDir Path dir) throws Exception {
        UnaryOperator<String> legacy = n -> n.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
        Path model = copyWith(dir, "vae", "diffusion_pytorch_model.safetensors", DType.F32, legacy);
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            assertTrue(f.contains("encoder.mid_block.attentions.0.proj_attn.weight"), "the copy uses the old names");
        }
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(VARIANT, "vae.safetensors")) {
            AutoencoderKL vae = DiffusersFolder.open(model, WeightFiles.OPENER).loadVae(manager, DataType.FLOAT32,
                    ComposedKernels.INSTANCE);
            LatentDistribution d = vae.encode(GoldenTensors.array(manager, golden, "main.images"));
            assertClose("legacy-named VAE mean", golden.readFloats("main.latent_dist.mean"), d.mean(), 1e-5, 1e-4);
        }
    }

    @Test
    void weightsOfAnotherShapeAreRefusedNamingTheTensor(@TempDir Path dir) throws Exception {
        Path model = copyWith(dir, "vae", "diffusion_pytorch_model.safetensors", DType.F32, n -> n);
        String config = Files.readString(model.resolve("vae/config.json"));
        Files.writeString(model.resolve("vae/config.json"), config.replace("\"latent_channels\": 4", "\"latent_channels\": 8"));
        try (NDManager manager = torch.newManager()) {
            DiffusersFolder folder = DiffusersFolder.open(model, WeightFiles.OPENER);
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                    () -> folder.loadVae(manager, DataType.FLOAT32, ComposedKernels.INSTANCE));
            assertTrue(e.getMessage().contains("diffusion_pytorch_model.safetensors") && e.getMessage().contains("shape"),
                    e.getMessage());
        }
    }

    @Test
    void unsupportedConfigValuesAreRefusedByName(@TempDir Path dir) throws Exception {
        Path model = copyWith(dir, "none", "", DType.F32, n -> n);
        Path unet = model.resolve("unet/config.json");
        String original = Files.readString(unet);
        Files.writeString(unet, original.replace("\"resnet_time_scale_shift\": \"default\"",
                "\"resnet_time_scale_shift\": \"scale_shift\"").replace("\"class_embed_type\": null",
                "\"class_embed_type\": \"timestep\""));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> DiffusersFolder.open(model, WeightFiles.OPENER));
        assertTrue(e.getMessage().contains("unet/config.json") && e.getMessage().contains("resnet_time_scale_shift")
                && e.getMessage().contains("class_embed_type = \"timestep\""), e.getMessage());

        Files.writeString(unet, original);
        Path te = model.resolve("text_encoder/config.json");
        String teConfig = Files.readString(te);
        Files.writeString(te, teConfig.replaceAll("\"hidden_act\": \"[a-z_]+\"", "\"hidden_act\": \"relu\""));
        e = assertThrows(UnsupportedModelException.class, () -> DiffusersFolder.open(model, WeightFiles.OPENER));
        assertTrue(e.getMessage().contains("hidden_act = \"relu\""), e.getMessage());

        Files.writeString(te, teConfig);
        Path scheduler = model.resolve("scheduler/scheduler_config.json");
        Files.writeString(scheduler, Files.readString(scheduler).replace("\"scaled_linear\"", "\"squaredcos_cap_v2\""));
        e = assertThrows(UnsupportedModelException.class, () -> DiffusersFolder.open(model, WeightFiles.OPENER));
        assertTrue(e.getMessage().contains("beta_schedule"), e.getMessage());
    }
}

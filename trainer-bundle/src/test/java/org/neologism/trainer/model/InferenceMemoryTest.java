package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.schedulers.sampling.DpmppTwoMSampler;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.generation.EncodedPrompt;
import org.neologism.trainer.generation.Guidance;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.generation.NoiseSource;
import org.neologism.trainer.generation.PromptEncoder;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Generation's memory is bounded: without gradients the UNet and the VAE decoder free each block's temporaries
 * as they go (same output, bit for bit), and nothing a sampler step or an image makes outlives it, so memory
 * does not grow with the number of steps or images. Measured by what stays alive in the NDManager tree,
 * not by timing or the resident size.
 */
class InferenceMemoryTest {

    /**
     * A recording forward keeps every tensor it makes until its manager closes; one without gradients keeps
     * its block outputs (the UNet's skip connections among them), which are a small part of that.
     */
    private static final double KEPT_FRACTION = 0.25;

    private static TorchEngine torch;
    private boolean gradMode;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    @BeforeEach
    void rememberGradMode() {
        gradMode = JniUtils.isGradMode();
    }

    @AfterEach
    void restoreGradMode() {
        JniUtils.setGradMode(gradMode);
    }

    static List<Object[]> unetCases() {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : KernelChoice.crossVariants()) {
            GoldenVariant variant = (GoldenVariant) c[0];
            if (!variant.architecture().supported()) {
                continue;
            }
            String first = variant.index().path("sections").path("unet").path("cases").path(0).path("name").asText();
            cases.add(new Object[] {variant, first, c[1]});
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("unetCases")
    void withoutGradientsTheNetworksKeepOnlyTheirBlockOutputs(GoldenVariant variant, String name, String kernelName)
            throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "unet.safetensors")) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            DiffusersFolder model = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER);
            UNet2DCondition unet = model.loadUNet(manager, DataType.FLOAT32, kernels);
            AutoencoderKL vae = model.loadVae(manager, DataType.FLOAT32, kernels);
            Function<NDManager, NDArray> unetForward = scope -> {
                try {
                    return unet.forward(GoldenTensors.array(scope, golden, name + ".sample"),
                            GoldenTensors.array(scope, golden, name + ".timesteps"),
                            GoldenTensors.array(scope, golden, name + ".encoder_hidden_states"),
                            golden.contains(name + ".text_embeds") ? new AddedConditions(
                                    GoldenTensors.array(scope, golden, name + ".text_embeds"),
                                    GoldenTensors.array(scope, golden, name + ".time_ids")) : null);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            Output noise = keptAndExact(variant + " " + name + " " + kernelName + " UNet", manager, unetForward);
            // The UNet's output has the latents' shape: decode it as latents.
            keptAndExact(variant + " " + kernelName + " VAE decoder", manager,
                    scope -> vae.decode(scope.create(noise.values(), noise.shape())));
        }
    }

    private record Output(float[] values, Shape shape) {}

    /**
     * Runs {@code forward} recording (grad mode on) and without gradients, each in its own sub-manager; asserts the
     * same output and that the second leaves under {@link #KEPT_FRACTION} of the first's live bytes. Returns the output.
     */
    private static Output keptAndExact(String what, NDManager manager, Function<NDManager, NDArray> forward) {
        long weights = liveBytes(manager);
        float[][] outputs = new float[2][];
        Shape shape = null;
        long[] kept = new long[2];
        for (int pass = 0; pass < 2; pass++) {
            JniUtils.setGradMode(pass == 0);
            try (NDManager scope = manager.newSubManager()) {
                NDArray output = forward.apply(scope);
                shape = output.getShape();
                outputs[pass] = output.toFloatArray();
                kept[pass] = liveBytes(manager) - weights;
            }
            assertEquals(weights, liveBytes(manager), what + ": the forward's scope holds everything it made");
        }
        System.out.printf("%s: recording forward keeps %d bytes alive, without gradients %d (%.3f)%n", what, kept[0],
                kept[1], (double) kept[1] / kept[0]);
        assertArrayEquals(outputs[0], outputs[1], what + ": freeing the blocks' temporaries changes no output bit");
        assertTrue(kept[1] < KEPT_FRACTION * kept[0], what + ": without gradients " + kept[1] + " bytes stay alive, "
                + "a recording forward keeps " + kept[0] + "; the blocks' temporaries were not freed");
        return new Output(outputs[0], shape);
    }

    static List<Object[]> generationCases() {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : KernelChoice.crossVariants()) {
            if (((GoldenVariant) c[0]).architecture().supported()) {
                cases.add(c);
            }
        }
        return cases;
    }

    /** Three images of four DPM++ 2M steps each, as TextToImage draws them: image by image, each in its own scope. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("generationCases")
    void generationMemoryDoesNotGrowWithStepsOrImages(GoldenVariant variant, String kernelName) throws Exception {
        JniUtils.setGradMode(true); // the generator must turn it off itself, as ti:generate and validation rely on
        try (NDManager manager = torch.newManager()) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            DiffusersFolder model = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER);
            ImageGenerator generator = new ImageGenerator(model, model.loadTextConditioner(manager, DataType.FLOAT32, kernels),
                    model.loadUNet(manager, DataType.FLOAT32, kernels), model.loadVae(manager, DataType.FLOAT32, kernels));
            long weights = liveBytes(manager);
            PromptEncoder encoder = generator.promptEncoder(List.of());
            EncodedPrompt prompt = generator.encode(manager, encoder, "a photo of a cat");
            Guidance guidance = new Guidance(generator.defaultGuidanceScale(), 0);
            EncodedPrompt negative = generator.encodeNegative(manager, encoder, null, prompt);
            SamplingPlan plan = new DpmppTwoMSampler().plan(generator.schedulerValues(), 4);
            int size = generator.defaultSize();
            ImageGenerator.Request request = new ImageGenerator.Request(plan, prompt, negative, guidance, size, size);
            assertEquals(weights, liveBytes(manager), "encoding the prompts leaves no tensor behind");

            List<Long> outsideStep = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (NDManager image = manager.newSubManager()) {
                    generator.generate(image, request, NoiseSource.seeded(i), (k, total, tensors) -> {
                        assertTrue(!JniUtils.isGradMode(), "generation records no autograd graph");
                        outsideStep.add(liveBytes(manager) - liveBytes(tensors.latents().getManager()));
                    });
                }
                assertEquals(weights, liveBytes(manager), "image " + i + " leaves no tensor behind");
            }
            assertEquals(3 * plan.steps().size(), outsideStep.size(), "every step was observed");
            assertTrue(outsideStep.stream().distinct().count() == 1, "the tensors alive outside the running step are the"
                    + " same at every step of every image: " + outsideStep);
            assertTrue(JniUtils.isGradMode(), "the caller's grad mode is restored");
        }
    }

    /** Bytes of every open array in {@code manager} and its sub-managers. */
    private static long liveBytes(NDManager manager) {
        long bytes = 0;
        for (NDArray array : manager.getManagedArrays()) {
            bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
        }
        return bytes;
    }
}

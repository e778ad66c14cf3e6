package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * {@code --gradient_checkpointing} recomputes the UNet's blocks in backward and gives the step the same loss and
 * the same gradient of the vectors as keeping every activation, on every model folder (SDXL too: its gradient
 * also flows through the pooled text embedding into the time embedding), with the fused and the composed kernels.
 * The gradient may differ only by the order in which its contributions from the blocks are summed.
 */
class GradientCheckpointingTest {

    /** Relative to the gradient's largest element: float32 sums of a few dozen block contributions in another order. */
    private static final double GRADIENT_RTOL = 1e-5;
    private static final double LOSS_RTOL = 1e-6;

    @TestFactory
    List<DynamicTest> checkpointingChangesNeitherTheLossNorTheGradient() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ModelVariant variant : Fixtures.modelVariants()) {
            for (boolean fused : new boolean[] {true, false}) {
                tests.add(DynamicTest.dynamicTest(variant.name() + (fused ? ", fused kernels" : ", composed kernels"),
                        () -> compare(variant, fused)));
            }
        }
        return tests;
    }

    private static void compare(ModelVariant variant, boolean fused) throws Exception {
        TorchEngine torch = new TorchEngine();
        JniUtils.setGradMode(false);
        try (NDManager manager = torch.newManager();
             KernelChoice kernels = KernelChoice.of(fused, false, manager, notice -> { })) {
            DiffusersFolder model = DiffusersFolder.open(variant.folder(), WeightFiles.OPENER);
            FrozenNetworks networks = FrozenNetworks.load(model, manager, false, kernels.kernels());
            int encoders = networks.text().encoders().size();
            List<long[]> placeholders = Collections.nCopies(encoders, new long[] {5, 6});
            // Small images: the tiny models' own size, at most 64 px.
            TextualInversionStep.Batch batch = batch(networks, Math.min(64, TextualInversionRun.defaultResolution(model)), 2,
                    encoders > 1);
            float[] vectors = new float[2 * networks.tokenWidth()];
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = (float) random.nextGaussian() * 0.02f;
            }
            TextualInversionStep.Outcome kept = new TextualInversionStep(networks, placeholders, false)
                    .run(manager, vectors, batch, 0.5f);
            TextualInversionStep.Outcome recomputed = new TextualInversionStep(networks, placeholders, true)
                    .run(manager, vectors, batch, 0.5f);
            assertEquals(kept.loss(), recomputed.loss(), LOSS_RTOL * Math.abs(kept.loss()), variant + " loss");
            double largest = 0;
            for (float g : kept.gradient()) {
                largest = Math.max(largest, Math.abs(g));
            }
            assertTrue(largest > 0, variant + ": the gradient is zero, the comparison would prove nothing");
            for (int i = 0; i < vectors.length; i++) {
                double difference = Math.abs(kept.gradient()[i] - recomputed.gradient()[i]);
                assertTrue(difference <= GRADIENT_RTOL * largest, variant + " gradient[" + i + "]: " + kept.gradient()[i]
                        + " keeping activations, " + recomputed.gradient()[i] + " recomputing them");
            }
        }
    }

    /** Random latents, noise and timesteps of the model's shapes; prompts with both placeholders. */
    private static TextualInversionStep.Batch batch(FrozenNetworks networks, int resolution, int size, boolean sdxl) {
        SplittableRandom random = new SplittableRandom(11);
        long channels = networks.unet().config().inChannels();
        long side = resolution / 8;
        int latent = (int) (channels * side * side);
        float[] mean = TrainingRandom.gaussian(random, size * latent);
        float[] std = new float[size * latent];
        java.util.Arrays.fill(std, 0.1f);
        long[] ids = new long[size * 77];
        for (int i = 0; i < ids.length; i++) {
            int position = i % 77;
            ids[i] = position == 0 ? 0 : position == 3 ? 5 : position == 4 ? 6 : position < 7 ? 10 + position : 1;
        }
        long[] timesteps = new long[size];
        for (int j = 0; j < size; j++) {
            timesteps[j] = random.nextInt(networks.schedule().numTrainTimesteps());
        }
        float[] timeIds = new float[size * 6];
        for (int j = 0; j < size; j++) {
            System.arraycopy(new float[] {resolution, resolution, 0, 0, resolution, resolution}, 0, timeIds, 6 * j, 6);
        }
        return new TextualInversionStep.Batch(ids, timesteps, mean, std, TrainingRandom.gaussian(random, size * latent),
                TrainingRandom.gaussian(random, size * latent), new long[] {channels, side, side}, sdxl ? ids : null,
                sdxl ? timeIds : null);
    }
}

package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * A run's loop on the device ({@link DeviceTraining}: gradient accumulated there, the NaN guard and the loss in one
 * read-back, the device AdamW) is the reference loop on host arrays ({@link TrainingLoopParityTest} holds that one
 * to diffusers' recorded runs), bit for bit: fed the same recorded samples, every step's loss, gradient norm, vectors
 * and AdamW moments are the same floats, with one batch per step and with two micro-batches accumulated.
 */
class DeviceTrainingTest {

    private static final int STEPS = 2;

    private static TorchEngine torch;
    private static NDManager manager;
    private static KernelChoice kernels;

    @BeforeAll
    static void engine() throws java.io.IOException {
        torch = new TorchEngine();
        manager = torch.newManager();
        kernels = KernelChoice.of(false, false, manager, notice -> {
            throw new AssertionError(notice);
        });
    }

    @AfterAll
    static void release() throws java.io.IOException {
        kernels.close();
        manager.close();
    }

    @TestFactory
    List<DynamicNode> theDeviceLoopIsTheReferenceLoopBitForBit() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            tests.add(variant.tests(v -> java.util.stream.Stream.of(
                    DynamicTest.dynamicTest("one batch per step", () -> compare(v, 1)),
                    DynamicTest.dynamicTest("two micro-batches per step", () -> compare(v, 2)))));
        }
        return tests;
    }

    private static void compare(GoldenVariant variant, int accumulation) throws Exception {
        JsonNode run = variant.section("train").path("runs").path(0);
        String name = run.path("name").asText();
        try (NDManager scope = manager.newSubManager(); SafetensorsFile golden = SafetensorsFile.open(variant.file("train.safetensors"))) {
            FrozenNetworks networks = FrozenNetworks.load(DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER), scope,
                    false, kernels.kernels());
            List<TextualInversionStep.Batch> samples = recordedSamples(golden, networks, scope, name,
                    run.path("max_train_steps").asInt());
            assertTrue(samples.size() >= STEPS * accumulation, name + " records too few samples");
            List<long[]> placeholderIds = RecordedRuns.placeholderIds(run, networks.text().encoders().size());
            float[] reference = RecordedRuns.initialVectors(networks, scope, run, RecordedRuns.rows(golden, name));
            JsonNode adam = run.path("adam");
            AdamW.Settings settings = new AdamW.Settings(adam.path("betas").get(0).asDouble(),
                    adam.path("betas").get(1).asDouble(), adam.path("weight_decay").asDouble(), adam.path("eps").asDouble());
            AdamW referenceOptimizer = new AdamW(settings, reference.length);
            TextualInversionStep step = new TextualInversionStep(networks, placeholderIds);
            TrainingLoop.Schedule decaying = done -> 1.0 / (done + 1);
            double learningRate = run.path("learning_rate").asDouble();
            TrainingLoop.MicroBatches recorded = (first, size) -> samples.get(Math.toIntExact(first));
            TrainingLoop referenceLoop = new TrainingLoop(step, recorded, referenceOptimizer, decaying, learningRate, 1,
                    accumulation);
            DeviceTraining.Batches uploaded = (microScope, first, size) -> step.upload(microScope, recorded.batch(first, size));
            TrainingLoop deviceLoop = new TrainingLoop(new DeviceTraining(step, uploaded, reference.clone(),
                    placeholderIds.get(0).length, new AdamW(settings, reference.length), 1, accumulation, scope), decaying,
                    learningRate);
            for (int s = 0; s < STEPS; s++) {
                String what = variant + " step " + s + ", " + accumulation + " micro-batch(es): ";
                TrainingLoop.Step expected = referenceLoop.run(scope, reference, s);
                TrainingLoop.Step actual = deviceLoop.run(s);
                assertTrue(expected.finite() && actual.finite(), what + "not finite");
                assertEquals(expected.lr(), actual.lr(), 0, what + "learning rate");
                assertEquals(expected.loss(), actual.loss(), 0, what + "loss");
                assertEquals(expected.gradientNorm(), actual.gradientNorm(), 1e-12 * expected.gradientNorm(),
                        what + "gradient norm");
                assertArrayEquals(reference, deviceLoop.vectors(), what + "vectors");
                AdamW state = deviceLoop.optimizer();
                assertArrayEquals(referenceOptimizer.firstMoment(), state.firstMoment(), what + "exp_avg");
                assertArrayEquals(referenceOptimizer.secondMoment(), state.secondMoment(), what + "exp_avg_sq");
                assertEquals(referenceOptimizer.stepCount(), state.stepCount(), what + "step count");
            }
        }
    }

    /** Every recorded sample as a batch of one: its ids, the posterior of its pixels, its eps, noise and timestep. */
    private static List<TextualInversionStep.Batch> recordedSamples(SafetensorsFile golden, FrozenNetworks networks,
                                                                    NDManager scope, String run, int steps) throws Exception {
        List<TextualInversionStep.Batch> samples = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            String inputs = "inputs.step" + s + ".";
            String prefix = run + ".step" + s + ".";
            // SDXL runs record their own pixels, the others share the variant's.
            String pixels = golden.contains(prefix + "pixel_values") ? prefix + "pixel_values" : inputs + "pixel_values";
            LatentCache.Posterior posterior;
            try (NDManager encoding = scope.newSubManager()) {
                posterior = LatentCache.posterior(networks.vae(),
                        encoding.create(golden.readFloats(pixels), new Shape(golden.entry(pixels).shape())));
            }
            int batch = (int) golden.entry(pixels).shape()[0];
            int latent = posterior.mean().length / batch;
            long[] ids = golden.readLongs(prefix + "input_ids");
            long[] ids2 = golden.contains(prefix + "input_ids_2") ? golden.readLongs(prefix + "input_ids_2") : null;
            float[] timeIds = golden.contains(prefix + "add_time_ids") ? golden.readFloats(prefix + "add_time_ids") : null;
            int idLength = ids.length / batch;
            long[] timesteps = golden.readLongs(inputs + "timesteps");
            float[] eps = golden.readFloats(inputs + "posterior_eps");
            float[] noise = golden.readFloats(inputs + "noise");
            for (int j = 0; j < batch; j++) {
                samples.add(new TextualInversionStep.Batch(Arrays.copyOfRange(ids, j * idLength, (j + 1) * idLength),
                        new long[] {timesteps[j]}, slice(posterior.mean(), j, latent), slice(posterior.std(), j, latent),
                        slice(eps, j, latent), slice(noise, j, latent), posterior.shape(),
                        ids2 == null ? null : Arrays.copyOfRange(ids2, j * idLength, (j + 1) * idLength),
                        timeIds == null ? null : slice(timeIds, j, timeIds.length / batch)));
            }
        }
        assertFalse(samples.isEmpty(), run + " records no samples");
        return samples;
    }

    private static float[] slice(float[] values, int index, int length) {
        return Arrays.copyOfRange(values, index * length, (index + 1) * length);
    }
}

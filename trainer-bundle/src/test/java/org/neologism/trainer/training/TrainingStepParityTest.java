package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Fed the inputs diffusers' textual_inversion.py recorded (pixels, posterior eps, noise, timesteps,
 * ids), every step's loss, placeholder gradient and vectors after AdamW match, for every run of every
 * variant under golden/, with both kernel implementations. Tolerances: testdata/README.md.
 */
class TrainingStepParityTest {

    private static final double LOSS_RTOL = 1e-5;
    private static final double GRADIENT_ATOL = 1e-6;
    private static final double EMBEDDING_ATOL = 1e-6;

    private static TorchEngine torch;
    private static NDManager manager;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
        manager = torch.newManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    @TestFactory
    List<DynamicNode> everyRecordedStepIsReproduced() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            // the step replays one and two text encoders alike (SDXL: both placeholder gradients and vector blocks)
            tests.add(variant.testsOfAnyArchitecture(v -> {
                List<DynamicTest> runs = new ArrayList<>();
                for (JsonNode run : v.section("train").path("runs")) {
                    for (boolean fused : new boolean[] {false, true}) {
                        runs.add(DynamicTest.dynamicTest(run.path("name").asText() + (fused ? " fused" : " composed"),
                                () -> replay(v.modelDir(), v.file("train.safetensors"), run, fused)));
                    }
                }
                assertFalse(runs.isEmpty(), v + ": index.json lists no training runs");
                return runs.stream();
            }));
        }
        return tests;
    }

    /** The product's step, with the composed kernels and with libtorch's fused ones (gradients through TorchScript). */
    private static void replay(Path modelDir, Path goldenFile, JsonNode run, boolean fused) throws IOException {
        String name = run.path("name").asText();
        try (NDManager scope = manager.newSubManager(); SafetensorsFile golden = SafetensorsFile.open(goldenFile);
             KernelChoice kernels = KernelChoice.of(fused, false, scope, notice -> {
                 throw new AssertionError(notice);
             })) {
            FrozenNetworks networks = FrozenNetworks.load(DiffusersFolder.open(modelDir, WeightFiles.OPENER), scope, false,
                    kernels.kernels());
            // SDXL records each encoder's ids and rows; the second carries the suffix _2.
            int encoders = networks.text().encoders().size();
            List<long[]> placeholderIds = RecordedRuns.placeholderIds(run, encoders);
            VectorRows rows = RecordedRuns.rows(golden, name);
            float[] vectors = RecordedRuns.initialVectors(networks, scope, run, rows);
            assertClose(RecordedRuns.read(golden, rows, name + ".init_placeholder_rows"), vectors, 0, name + " initial vectors");

            JsonNode adam = run.path("adam");
            AdamW optimizer = new AdamW(new AdamW.Settings(adam.path("betas").get(0).asDouble(),
                    adam.path("betas").get(1).asDouble(), adam.path("weight_decay").asDouble(), adam.path("eps").asDouble()),
                    vectors.length);
            TextualInversionStep step = new TextualInversionStep(networks, placeholderIds);
            for (int s = 0; s < run.path("max_train_steps").asInt(); s++) {
                String inputs = "inputs.step" + s + ".";
                String prefix = name + ".step" + s + ".";
                // SDXL runs saw their own batches: pixels per run; the older sets share them across runs.
                String pixelKey = golden.contains(prefix + "pixel_values") ? prefix + "pixel_values" : inputs + "pixel_values";
                long[] pixelShape = golden.entry(pixelKey).shape();
                LatentCache.Posterior posterior = LatentCache.posterior(networks.vae(),
                        scope.create(golden.readFloats(pixelKey), new Shape(pixelShape)));
                if (s == 0) {
                    assertClose(golden.readFloats(prefix + "debug.latent_mean"), posterior.mean(), 1e-5, prefix + "latent mean");
                    assertClose(golden.readFloats(prefix + "debug.latent_std"), posterior.std(), 1e-5, prefix + "latent std");
                }
                TextualInversionStep.Batch batch = new TextualInversionStep.Batch(golden.readLongs(prefix + "input_ids"),
                        golden.readLongs(inputs + "timesteps"), posterior.mean(), posterior.std(),
                        golden.readFloats(inputs + "posterior_eps"), golden.readFloats(inputs + "noise"), posterior.shape(),
                        encoders > 1 ? golden.readLongs(prefix + "input_ids_2") : null,
                        golden.contains(prefix + "add_time_ids") ? golden.readFloats(prefix + "add_time_ids") : null);
                TextualInversionStep.Outcome outcome = step.run(scope, vectors, batch, 1f);

                double expectedLoss = golden.readFloats(prefix + "loss")[0];
                assertTrue(Math.abs(outcome.loss() - expectedLoss) <= LOSS_RTOL * Math.abs(expectedLoss),
                        prefix + "loss: expected " + expectedLoss + ", got " + outcome.loss());
                assertClose(RecordedRuns.read(golden, rows, prefix + "grad_placeholder"), outcome.gradient(), GRADIENT_ATOL,
                        prefix + "gradient");
                optimizer.step(vectors, outcome.gradient(), golden.readDoubles(prefix + "lr")[0]);
                if (golden.contains(prefix + "exp_avg_placeholder")) {
                    assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_placeholder"), optimizer.firstMoment(),
                            GRADIENT_ATOL, prefix + "exp_avg");
                    assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_sq_placeholder"), optimizer.secondMoment(),
                            GRADIENT_ATOL, prefix + "exp_avg_sq");
                }
                assertClose(RecordedRuns.read(golden, rows, prefix + "embeds_after"), vectors, EMBEDDING_ATOL,
                        prefix + "vectors after the step");
            }
            assertClose(RecordedRuns.read(golden, rows, name + ".learned_embeds"), vectors, EMBEDDING_ATOL,
                    name + " learned embedding");
        }
    }

    private static void assertClose(float[] expected, float[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs((double) expected[i] - actual[i]);
            assertTrue(difference <= atol, what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]
                    + " (difference " + difference + ")");
        }
    }
}

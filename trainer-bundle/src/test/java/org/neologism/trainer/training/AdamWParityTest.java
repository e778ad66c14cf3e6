package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Our AdamW fed the gradients diffusers recorded reproduces its moments and vectors after every step,
 * for every run of every variant under golden/.
 */
class AdamWParityTest {

    private static final double EMBEDDING_ATOL = 1e-6;

    /** The optimiser alone: architecture-neutral, so every variant's recorded runs, SDXL's included. */
    @TestFactory
    List<DynamicTest> everyRecordedRunIsReproducedStepByStep() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (JsonNode run : variant.section("train").path("runs")) {
                tests.add(DynamicTest.dynamicTest(variant.name() + " " + run.path("name").asText(),
                        () -> replay(variant.file("train.safetensors"), run)));
            }
        }
        assertFalse(tests.isEmpty(), "no training runs found under golden/");
        return tests;
    }

    private static void replay(Path file, JsonNode run) throws IOException {
        String name = run.path("name").asText();
        JsonNode adam = run.path("adam");
        AdamW.Settings settings = new AdamW.Settings(adam.path("betas").get(0).asDouble(), adam.path("betas").get(1).asDouble(),
                adam.path("weight_decay").asDouble(), adam.path("eps").asDouble());
        try (SafetensorsFile golden = SafetensorsFile.open(file)) {
            // SDXL records both encoders' rows (suffix _2): one AdamW over the joined rows, as over both matrices.
            VectorRows rows = RecordedRuns.rows(golden, name);
            float[] vectors = RecordedRuns.read(golden, rows, name + ".init_placeholder_rows");
            AdamW optimizer = new AdamW(settings, vectors.length);
            int steps = run.path("max_train_steps").asInt();
            for (int step = 0; step < steps; step++) {
                String prefix = name + ".step" + step + ".";
                double lr = golden.readDoubles(prefix + "lr")[0];
                assertEquals(run.path("lrs").get(step).asDouble(), lr, 0, "lr of step " + step);
                optimizer.step(vectors, RecordedRuns.read(golden, rows, prefix + "grad_placeholder"), lr);
                assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_placeholder"), optimizer.firstMoment(), 1e-9, prefix + "exp_avg");
                assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_sq_placeholder"), optimizer.secondMoment(), 1e-12, prefix + "exp_avg_sq");
                assertClose(RecordedRuns.read(golden, rows, prefix + "embeds_after"), vectors, EMBEDDING_ATOL, prefix + "embeds_after");
            }
            assertClose(RecordedRuns.read(golden, rows, name + ".learned_embeds"), vectors, EMBEDDING_ATOL, name + ".learned_embeds");
        }
    }

    private static void assertClose(float[] expected, float[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs((double) expected[i] - actual[i]);
            assertTrue(difference <= atol, what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void aZeroLearningRateStepMovesNothingButTheMoments() {
        float[] vectors = {0.5f, -0.25f};
        AdamW optimizer = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-2, 1e-8), 2);
        optimizer.step(vectors, new float[] {1f, -2f}, 0.0);
        assertEquals(0.5f, vectors[0]);
        assertEquals(-0.25f, vectors[1]);
        assertEquals(1, optimizer.stepCount());
        assertTrue(optimizer.firstMoment()[0] > 0 && optimizer.secondMoment()[1] > 0);
    }

    @Test
    void restoredStateContinuesExactlyLikeAnUninterruptedOptimizer() {
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-2, 1e-8);
        float[] straight = {0.1f, 0.2f, 0.3f};
        AdamW uninterrupted = new AdamW(settings, 3);
        float[] resumed = straight.clone();
        AdamW first = new AdamW(settings, 3);
        float[][] gradients = {{0.01f, -0.02f, 0.03f}, {-0.5f, 0.25f, 0.0f}, {1e-4f, 2e-4f, -3e-4f}};
        for (float[] g : gradients) {
            uninterrupted.step(straight, g, 5e-4);
        }
        first.step(resumed, gradients[0], 5e-4);
        AdamW restored = new AdamW(settings, first.firstMoment(), first.secondMoment(), first.stepCount());
        restored.step(resumed, gradients[1], 5e-4);
        restored.step(resumed, gradients[2], 5e-4);
        for (int i = 0; i < 3; i++) {
            assertEquals(Float.floatToIntBits(straight[i]), Float.floatToIntBits(resumed[i]));
        }
    }
}

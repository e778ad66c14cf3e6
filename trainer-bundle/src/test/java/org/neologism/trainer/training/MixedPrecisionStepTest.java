package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import com.fasterxml.jackson.databind.JsonNode;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * --mixed_precision=fp16 (UNet and VAE in half precision, text encoder, vectors and loss in float32, the
 * casts on the gradient's path done by the fused kernels' TorchScript modules)
 * trains the same step as float32 within half precision's reach: the references have no fp16 numbers,
 * so the recorded float32 step is the yardstick.
 */
class MixedPrecisionStepTest {

    @TestFactory
    List<DynamicTest> anFp16StepFollowsTheFloat32Reference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            tests.add(DynamicTest.dynamicTest(variant.name(), () -> compare(variant)));
        }
        return tests;
    }

    /** The first step of the variant's first recorded run. */
    private static void compare(GoldenVariant variant) throws Exception {
        JsonNode run = variant.section("train").path("runs").path(0);
        String name = run.path("name").asText();
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = SafetensorsFile.open(variant.file("train.safetensors"));
             KernelChoice kernels = KernelChoice.of(true, true, manager, notice -> {
                 throw new AssertionError(notice);
             })) {
            FrozenNetworks networks = FrozenNetworks.load(DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER), manager,
                    true, kernels.kernels());
            VectorRows rows = RecordedRuns.rows(golden, name);
            float[] vectors = RecordedRuns.read(golden, rows, name + ".init_placeholder_rows");
            String prefix = name + ".step0.";
            // SDXL runs recorded their own pixels, second ids and time ids; the older sets share their pixels.
            String pixels = golden.contains(prefix + "pixel_values") ? prefix + "pixel_values" : "inputs.step0.pixel_values";
            LatentCache.Posterior posterior = LatentCache.posterior(networks.vae(), manager.create(
                    golden.readFloats(pixels), new Shape(golden.entry(pixels).shape())));
            boolean twoEncoders = rows.widths().length > 1;
            TextualInversionStep.Batch batch = new TextualInversionStep.Batch(golden.readLongs(prefix + "input_ids"),
                    golden.readLongs("inputs.step0.timesteps"), posterior.mean(), posterior.std(),
                    golden.readFloats("inputs.step0.posterior_eps"), golden.readFloats("inputs.step0.noise"), posterior.shape(),
                    twoEncoders ? golden.readLongs(prefix + "input_ids_2") : null,
                    golden.contains(prefix + "add_time_ids") ? golden.readFloats(prefix + "add_time_ids") : null);
            TextualInversionStep.Outcome outcome = new TextualInversionStep(networks,
                    RecordedRuns.placeholderIds(run, rows.widths().length)).run(manager, vectors, batch, 1f);

            double expectedLoss = golden.readFloats(name + ".step0.loss")[0];
            assertTrue(Math.abs(outcome.loss() - expectedLoss) < 2e-2 * expectedLoss,
                    "fp16 loss " + outcome.loss() + " vs float32 " + expectedLoss );
            float[] expected = RecordedRuns.read(golden, rows, prefix + "grad_placeholder");
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < expected.length; i++) {
                dot += expected[i] * outcome.gradient()[i];
                a += expected[i] * expected[i];
                b += outcome.gradient()[i] * (double) outcome.gradient()[i];
            }
            double cosine = dot / Math.sqrt(a * b);
            assertTrue(cosine > 0.99, "fp16 gradient direction: cosine " + cosine);
        }
    }
}

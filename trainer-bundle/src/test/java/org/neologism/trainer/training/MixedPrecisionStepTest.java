package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
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

    /** The placeholder's id in every variant: the first id after the 1000-token vocabulary (index.json). */
    private static final long PLACEHOLDER_ID = 1000;

    @TestFactory
    List<DynamicTest> anFp16StepFollowsTheFloat32Reference() throws Exception {
        Path fixtures = Path.of(System.getProperty("neologism.fixtures", "../../shared/fixtures"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Path variant : AdamWParityTest.goldenVariants()) {
            tests.add(DynamicTest.dynamicTest(variant.getFileName().toString(),
                    () -> compare(fixtures.resolve("models").resolve(variant.getFileName()), variant.resolve("train.safetensors"))));
        }
        return tests;
    }

    private static void compare(Path modelDir, Path goldenFile) throws Exception {
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = SafetensorsFile.open(goldenFile);
             KernelChoice kernels = KernelChoice.of(true, true, manager, notice -> {
                 throw new AssertionError(notice);
             })) {
            FrozenNetworks networks = FrozenNetworks.load(DiffusersFolder.open(modelDir, WeightFiles.OPENER), manager, true,
                    kernels.kernels());
            VectorRows rows = AdamWParityTest.rows(golden, "single_constant");
            float[] vectors = AdamWParityTest.read(golden, rows, "single_constant.init_placeholder_rows");
            // SDXL runs recorded their own pixels, second ids and time ids; the older sets share their pixels.
            String pixels = golden.contains("single_constant.step0.pixel_values") ? "single_constant.step0.pixel_values"
                    : "inputs.step0.pixel_values";
            LatentCache.Posterior posterior = LatentCache.posterior(networks.vae(), manager.create(
                    golden.readFloats(pixels), new Shape(golden.entry(pixels).shape())));
            boolean sdxl = rows.widths().length > 1;
            TextualInversionStep.Batch batch = new TextualInversionStep.Batch(golden.readLongs("single_constant.step0.input_ids"),
                    golden.readLongs("inputs.step0.timesteps"), posterior.mean(), posterior.std(),
                    golden.readFloats("inputs.step0.posterior_eps"), golden.readFloats("inputs.step0.noise"), posterior.shape(),
                    sdxl ? golden.readLongs("single_constant.step0.input_ids_2") : null,
                    sdxl ? golden.readFloats("single_constant.step0.add_time_ids") : null);
            TextualInversionStep.Outcome outcome = new TextualInversionStep(networks, new long[] {PLACEHOLDER_ID})
                    .run(manager, vectors, batch, 1f);

            double expectedLoss = golden.readFloats("single_constant.step0.loss")[0];
            assertTrue(Math.abs(outcome.loss() - expectedLoss) < 2e-2 * expectedLoss,
                    "fp16 loss " + outcome.loss() + " vs float32 " + expectedLoss );
            float[] expected = AdamWParityTest.read(golden, rows, "single_constant.step0.grad_placeholder");
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

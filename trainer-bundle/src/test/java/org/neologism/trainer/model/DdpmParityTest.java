package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** DDPM tables (rtol 1e-6; in fact bit-identical), add_noise and get_velocity match diffusers. */
class DdpmParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    static List<GoldenVariant> variants() {
        return Fixtures.goldenVariants();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void tablesMatchTorchFloat32(GoldenVariant variant) throws Exception {
        variant.assumeSupported();
        DdpmSchedule schedule = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER).schedule();
        try (SafetensorsFile golden = GoldenTensors.golden(variant, "ddpm.safetensors")) {
            assertClose(variant + " betas", golden.readFloats("betas"), schedule.betas(), 0, 1e-6);
            assertClose(variant + " alphas", golden.readFloats("alphas"), schedule.alphas(), 0, 1e-6);
            assertClose(variant + " alphas_cumprod", golden.readFloats("alphas_cumprod"), schedule.alphasCumprod(), 0, 1e-6);
            assertArrayEquals(golden.readFloats("betas"), schedule.betas(), "betas bit-identical to torch");
            assertArrayEquals(golden.readFloats("alphas_cumprod"), schedule.alphasCumprod(), "alphas_cumprod bit-identical");
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void addNoiseAndVelocityMatchDiffusers(GoldenVariant variant) throws Exception {
        variant.assumeSupported();
        DdpmSchedule schedule = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER).schedule();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "ddpm.safetensors")) {
            long[] t = golden.readLongs("timesteps");
            assertClose(variant + " sqrt_alpha_prod", golden.readFloats("sqrt_alpha_prod"), schedule.sqrtAlphaProd(t), 0, 1e-6);
            assertClose(variant + " sqrt_one_minus_alpha_prod", golden.readFloats("sqrt_one_minus_alpha_prod"),
                    schedule.sqrtOneMinusAlphaProd(t), 0, 1e-6);
            var x0 = GoldenTensors.array(manager, golden, "original_samples");
            var noise = GoldenTensors.array(manager, golden, "noise");
            assertClose(variant + " noisy_samples", golden.readFloats("noisy_samples"), schedule.addNoise(x0, noise, t), 1e-7, 1e-6);
            assertClose(variant + " velocity", golden.readFloats("velocity"), schedule.velocity(x0, noise, t), 1e-7, 1e-6);
        }
    }
}

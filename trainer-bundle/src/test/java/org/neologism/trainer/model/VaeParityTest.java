package org.neologism.trainer.model;

import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** AutoencoderKL encode (mean, logvar, std, sample with a given eps, scaled) and decode match diffusers. */
class VaeParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    static List<Object[]> cases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            if (!variant.architecture().supported()) {
                cases.add(new Object[] {variant, "every case", KernelChoice.NAMES.get(0)}); // reported skipped, with why
                continue;
            }
            JsonNode index = variant.index();
            for (JsonNode c : index.path("sections").path("vae").path("cases")) {
                for (String kernels : KernelChoice.NAMES) {
                    cases.add(new Object[] {variant, c.path("name").asText(), kernels});
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void encoderMatchesDiffusers(GoldenVariant variant, String name, String kernelName) throws Exception {
        variant.assumeSupported();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "vae.safetensors")) {
            AutoencoderKL vae = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadVae(manager, DataType.FLOAT32, KernelChoice.kernels(kernelName, manager));
            LatentDistribution latents = vae.encode(GoldenTensors.array(manager, golden, name + ".images"));
            String p = variant + " " + name + " ";
            assertClose(p + "mean", golden.readFloats(name + ".latent_dist.mean"), latents.mean(), 1e-5, 1e-4);
            assertClose(p + "logvar", golden.readFloats(name + ".latent_dist.logvar"), latents.logvar(), 1e-5, 1e-4);
            assertClose(p + "std", golden.readFloats(name + ".latent_dist.std"), latents.std(), 1e-5, 1e-4);
            NDArray sample = latents.sample(GoldenTensors.array(manager, golden, name + ".posterior_eps"));
            assertClose(p + "sample", golden.readFloats(name + ".latent_sample"), sample, 1e-5, 1e-4);
            assertClose(p + "sample scaled", golden.readFloats(name + ".latent_sample_scaled"),
                    sample.mul((float) vae.scalingFactor()), 1e-5, 1e-4);
            double[] decode = variant.tolerance("decode", 1e-5, 1e-4);
            if (golden.contains(name + ".decode_of_mean")) {
                assertClose(p + "decode_of_mean", golden.readFloats(name + ".decode_of_mean"), vae.decode(latents.mean()),
                        decode[0], decode[1]);
            }
            if (golden.contains(name + ".decode_of_scaled")) {
                // The pipeline's decode: latents / scaling_factor (SDXL's 0.13025) first.
                NDArray scaled = GoldenTensors.array(manager, golden, name + ".latent_sample_scaled");
                assertClose(p + "decode_of_scaled", golden.readFloats(name + ".decode_of_scaled"),
                        vae.decode(scaled.div((float) vae.scalingFactor())), decode[0], decode[1]);
            }
        }
    }
}

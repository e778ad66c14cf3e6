package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neologism.trainer.model.Fixtures.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * The networks compose into the reference training step: with the recorded step-0 inputs, the loss matches
 * within rtol 1e-5 and the gradient reaching the spliced placeholder vectors within atol 1e-6, for every
 * run of every variant, with composed and fused kernels (so gradients flow through the TorchScript kernels).
 */
class TrainingStepGradientTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    static List<Object[]> cases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (String variant : Fixtures.variants()) {
            JsonNode index = new ObjectMapper().readTree(
                    Fixtures.root().resolve("golden").resolve(variant).resolve("index.json").toFile());
            for (JsonNode run : index.path("sections").path("train").path("runs")) {
                for (String kernels : KernelChoice.NAMES) {
                    cases.add(new Object[] {variant, run.path("name").asText(), kernels, run});
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void stepZeroLossAndPlaceholderGradientMatch(String variant, String run, String kernelName, JsonNode spec)
            throws Exception {
        Engine engine = torch.engine();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = Fixtures.golden(variant, "train.safetensors")) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            DiffusersFolder folder = DiffusersFolder.open(Fixtures.model(variant), WeightFiles.OPENER);
            ClipTextModel textEncoder = folder.loadTextEncoder(manager, DataType.FLOAT32, kernels);
            UNet2DCondition unet = folder.loadUNet(manager, DataType.FLOAT32, kernels);
            AutoencoderKL vae = folder.loadVae(manager, DataType.FLOAT32, kernels);
            DdpmSchedule schedule = folder.schedule();

            long[] placeholderIds = new long[spec.path("placeholder_token_ids").size()];
            for (int i = 0; i < placeholderIds.length; i++) {
                placeholderIds[i] = spec.path("placeholder_token_ids").get(i).asLong();
            }
            NDArray vectors = Fixtures.array(manager, golden, run + ".init_placeholder_rows").reshape(placeholderIds.length, -1);
            vectors.setRequiresGradient(true);

            long[] timesteps = golden.readLongs("inputs.step0.timesteps");
            NDArray latents = vae.encode(Fixtures.array(manager, golden, "inputs.step0.pixel_values"))
                    .sample(Fixtures.array(manager, golden, "inputs.step0.posterior_eps")).mul((float) vae.scalingFactor());
            NDArray noise = Fixtures.array(manager, golden, "inputs.step0.noise");
            NDArray noisy = schedule.addNoise(latents, noise, timesteps);
            NDArray target = schedule.target(latents, noise, timesteps);
            assertClose(run + " target", golden.readFloats(run + ".step0.debug.target"), target, 1e-5, 1e-4);

            float loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray states = textEncoder.forward(Fixtures.array(manager, golden, run + ".step0.input_ids"),
                        new TokenSplice(placeholderIds, vectors));
                NDArray prediction = unet.forward(noisy, manager.create(timesteps), states);
                NDArray value = prediction.toType(DataType.FLOAT32, false).sub(target).square().mean();
                collector.backward(value);
                loss = value.getFloat();
            }
            float expectedLoss = golden.readFloats(run + ".step0.loss")[0];
            assertEquals(expectedLoss, loss, 1e-5 * Math.abs(expectedLoss), variant + " " + run + " loss");
            NDArray gradient = vectors.getGradient();
            assertClose(variant + " " + run + " " + kernelName + " grad_placeholder",
                    golden.readFloats(run + ".step0.grad_placeholder"), gradient, 1e-6, 0);
        }
    }
}

package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
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
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** UNet2DConditionModel output matches diffusers within atol 1e-5 / rtol 1e-4 for every case of every variant. */
class UNetParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    /** (variant, case, kernels) for every case listed in each variant's index.json. */
    static List<Object[]> cases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            JsonNode index = variant.index();
            for (JsonNode c : index.path("sections").path("unet").path("cases")) {
                for (String kernels : KernelChoice.NAMES) {
                    cases.add(new Object[] {variant, c.path("name").asText(), kernels});
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void outputMatchesDiffusers(GoldenVariant variant, String name, String kernelName) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "unet.safetensors")) {
            UNet2DCondition unet = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadUNet(manager, DataType.FLOAT32, KernelChoice.kernels(kernelName, manager));
            NDArray out = unet.forward(GoldenTensors.array(manager, golden, name + ".sample"),
                    GoldenTensors.array(manager, golden, name + ".timesteps"),
                    GoldenTensors.array(manager, golden, name + ".encoder_hidden_states"), addedConditions(manager, golden, name));
            GoldenTensors.assertShape(golden.entry(name + ".out").shape(), out);
            assertClose(variant + " " + name + " out", golden.readFloats(name + ".out"), out, 1e-5, 1e-4);
        }
    }

    /** SDXL cases record text_embeds and time_ids (diffusers' added_cond_kwargs); the others have none. */
    private static AddedConditions addedConditions(NDManager manager, SafetensorsFile golden, String name)
            throws IOException {
        return golden.contains(name + ".text_embeds") ? new AddedConditions(
                GoldenTensors.array(manager, golden, name + ".text_embeds"),
                GoldenTensors.array(manager, golden, name + ".time_ids")) : null;
    }

    /** The cases that recorded a loss (the SDXL set): mse(out, target) and its gradients w.r.t. the text inputs. */
    static List<Object[]> lossCases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (Object[] c : cases()) {
            try (SafetensorsFile golden = GoldenTensors.golden((GoldenVariant) c[0], "unet.safetensors")) {
                if (golden.contains(c[1] + ".loss")) {
                    cases.add(c);
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("lossCases")
    void lossAndTextGradientsMatchDiffusers(GoldenVariant variant, String name, String kernelName) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "unet.safetensors")) {
            UNet2DCondition unet = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadUNet(manager, DataType.FLOAT32, KernelChoice.kernels(kernelName, manager));
            NDArray context = GoldenTensors.array(manager, golden, name + ".encoder_hidden_states");
            AddedConditions added = addedConditions(manager, golden, name);
            context.setRequiresGradient(true);
            if (added != null) {
                added.textEmbeds().setRequiresGradient(true);
            }
            float loss;
            JniUtils.setGradMode(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray out = unet.forward(GoldenTensors.array(manager, golden, name + ".sample"),
                        GoldenTensors.array(manager, golden, name + ".timesteps"), context, added);
                NDArray mse = out.sub(GoldenTensors.array(manager, golden, name + ".target")).square().mean();
                collector.backward(mse);
                loss = mse.getFloat();
            }
            double expected = golden.readFloats(name + ".loss")[0];
            double[] lossTolerance = variant.tolerance("unet: loss", 0, 1e-5);
            assertTrue(Math.abs(loss - expected) <= lossTolerance[1] * Math.abs(expected),
                    variant + " " + name + " loss " + loss + ", expected " + expected);
            double[] states = variant.tolerance("grad_encoder_hidden_states", 2e-9, 1e-4);
            assertClose(variant + " " + name + " grad_encoder_hidden_states",
                    golden.readFloats(name + ".grad_encoder_hidden_states"), context.getGradient(), states[0], states[1]);
            if (added != null) {
                double[] text = variant.tolerance("grad_text_embeds", 3e-8, 1e-4);
                assertClose(variant + " " + name + " grad_text_embeds", golden.readFloats(name + ".grad_text_embeds"),
                        added.textEmbeds().getGradient(), text[0], text[1]);
            }
        }
    }
}

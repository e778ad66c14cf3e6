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
            if (!variant.architecture().supported()) {
                cases.add(new Object[] {variant, "every case", KernelChoice.NAMES.get(0)}); // reported skipped, with why
                continue;
            }
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
        variant.assumeSupported();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "unet.safetensors")) {
            UNet2DCondition unet = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadUNet(manager, DataType.FLOAT32, KernelChoice.kernels(kernelName, manager));
            NDArray out = unet.forward(GoldenTensors.array(manager, golden, name + ".sample"),
                    GoldenTensors.array(manager, golden, name + ".timesteps"),
                    GoldenTensors.array(manager, golden, name + ".encoder_hidden_states"));
            GoldenTensors.assertShape(golden.entry(name + ".out").shape(), out);
            assertClose(variant + " " + name + " out", golden.readFloats(name + ".out"), out, 1e-5, 1e-4);
        }
    }
}

package org.neologism.trainer.model;

import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** CLIPTextModel last_hidden_state matches transformers within atol 1e-5 / rtol 1e-4, plain and with a spliced placeholder row. */
class TextEncoderParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    static List<Object[]> cases() {
        return KernelChoice.crossVariants();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void lastHiddenStateMatchesTransformers(GoldenVariant variant, String kernelName) throws Exception {
        variant.assumeSupported();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "text_encoder.safetensors")) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            ClipTextModel model = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadTextEncoder(manager, DataType.FLOAT32, kernels);
            NDArray out = model.forward(GoldenTensors.array(manager, golden, "input_ids"));
            assertClose(variant + " last_hidden_state", golden.readFloats("last_hidden_state"), out, 1e-5, 1e-4);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void splicedPlaceholderRowMatchesResizedEmbedding(GoldenVariant variant, String kernelName) throws Exception {
        variant.assumeSupported();
        JsonNode index = variant.index();
        long placeholderId = index.path("sections").path("text_encoder").path("placeholder_id").asLong();
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "text_encoder.safetensors")) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            ClipTextModel model = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                    .loadTextEncoder(manager, DataType.FLOAT32, kernels);
            NDArray ids = GoldenTensors.array(manager, golden, "ph.input_ids");
            for (String row : List.of("init", "random")) {
                NDArray vector = GoldenTensors.array(manager, golden, "ph.placeholder_row_" + row).reshape(1, -1);
                NDArray out = model.forward(ids, new TokenSplice(new long[] {placeholderId}, vector));
                assertClose(variant + " ph.last_hidden_state_" + row, golden.readFloats("ph.last_hidden_state_" + row), out,
                        1e-5, 1e-4);
            }
        }
    }

    @AfterAll
    static void done() {}
}

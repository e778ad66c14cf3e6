package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Every text encoder whose golden file records {@code hidden_states[-2]} (SDXL's two): the penultimate state,
 * {@code last_hidden_state}, the pooled token (transformers' rule: argmax of the ids when eos_token_id is 2,
 * else the first end token) and {@code text_embeds} match transformers, with the placeholder rows spliced in
 * too (where the argmax rule pools the placeholder, not the end token).
 */
class TextEncoderOutputsParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    /** (variant, encoder section, kernels) for every text encoder section whose file has the penultimate state. */
    static List<Object[]> cases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (String section : List.of("text_encoder", "text_encoder_2")) {
                if (!variant.has(section)) {
                    continue;
                }
                try (SafetensorsFile golden = GoldenTensors.golden(variant, section + ".safetensors")) {
                    if (!golden.contains("penultimate_hidden_state")) {
                        continue;
                    }
                }
                for (String kernels : KernelChoice.NAMES) {
                    cases.add(new Object[] {variant, section, kernels});
                }
            }
        }
        return cases;
    }

    static ClipTextModel load(GoldenVariant variant, String section, NDManager manager, Kernels kernels) {
        DiffusersFolder folder = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER);
        return section.equals("text_encoder_2") ? folder.loadTextEncoder2(manager, DataType.FLOAT32, kernels)
                : folder.loadTextEncoder(manager, DataType.FLOAT32, kernels);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void outputsMatchTransformers(GoldenVariant variant, String section, String kernelName) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, section + ".safetensors")) {
            ClipTextModel model = load(variant, section, manager, KernelChoice.kernels(kernelName, manager));
            double[] tol = variant.tolerance("text_encoder(_2)", 1e-5, 1e-4);
            String p = variant + " " + section + " ";
            NDArray ids = GoldenTensors.array(manager, golden, "input_ids");
            ClipTextModel.Output out = model.encode(ids, null);
            assertClose(p + "last_hidden_state", golden.readFloats("last_hidden_state"), out.lastHiddenState(), tol[0], tol[1]);
            assertClose(p + "penultimate", golden.readFloats("penultimate_hidden_state"), out.penultimateHiddenState(),
                    tol[0], tol[1]);
            assertClose(p + "penultimate alone", golden.readFloats("penultimate_hidden_state"),
                    model.penultimateHiddenState(ids, null), tol[0], tol[1]);
            assertClose(p + "pooler_output", golden.readFloats("pooler_output"), out.pooled(), tol[0], tol[1]);
            assertArrayEquals(golden.readLongs("pooled_index"), model.pooledIndex(golden.readLongs("input_ids"), 2),
                    p + "pooled_index");
            if (golden.contains("text_embeds")) {
                assertClose(p + "text_embeds", golden.readFloats("text_embeds"), out.textEmbeds(), tol[0], tol[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void splicedPlaceholderRowsMatchTheResizedEncoder(GoldenVariant variant, String section, String kernelName) throws Exception {
        JsonNode info = variant.section(section);
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, section + ".safetensors")) {
            ClipTextModel model = load(variant, section, manager, KernelChoice.kernels(kernelName, manager));
            double[] tol = variant.tolerance("text_encoder(_2)", 1e-5, 1e-4);
            String p = variant + " " + section + " ";
            long[] phIds = golden.readLongs("ph.input_ids");
            NDArray ids = GoldenTensors.array(manager, golden, "ph.input_ids");
            assertArrayEquals(golden.readLongs("ph.pooled_index"), model.pooledIndex(phIds, 2), p + "ph.pooled_index");
            for (String row : List.of("init", "random")) {
                NDArray vector = GoldenTensors.array(manager, golden, "ph.placeholder_row_" + row).reshape(1, -1);
                ClipTextModel.Output out = model.encode(ids, new TokenSplice(new long[] {info.path("placeholder_id").asLong()}, vector));
                assertClose(p + "ph.last_" + row, golden.readFloats("ph.last_hidden_state_" + row), out.lastHiddenState(),
                        tol[0], tol[1]);
                assertClose(p + "ph.penultimate_" + row, golden.readFloats("ph.penultimate_hidden_state_" + row),
                        out.penultimateHiddenState(), tol[0], tol[1]);
                assertClose(p + "ph.pooler_" + row, golden.readFloats("ph.pooler_output_" + row), out.pooled(), tol[0], tol[1]);
                if (golden.contains("ph.text_embeds_" + row)) {
                    assertClose(p + "ph.text_embeds_" + row, golden.readFloats("ph.text_embeds_" + row), out.textEmbeds(),
                            tol[0], tol[1]);
                }
            }
            if (golden.contains("mv.input_ids")) {
                long[] mvIds = new long[info.path("multi_vector_ids").size()];
                for (int i = 0; i < mvIds.length; i++) {
                    mvIds[i] = info.path("multi_vector_ids").get(i).asLong();
                }
                ClipTextModel.Output out = model.encode(GoldenTensors.array(manager, golden, "mv.input_ids"),
                        new TokenSplice(mvIds, GoldenTensors.array(manager, golden, "mv.placeholder_rows")));
                assertClose(p + "mv.penultimate", golden.readFloats("mv.penultimate_hidden_state"),
                        out.penultimateHiddenState(), tol[0], tol[1]);
                if (golden.contains("mv.pooled_index")) {
                    assertArrayEquals(golden.readLongs("mv.pooled_index"), model.pooledIndex(golden.readLongs("mv.input_ids"), 2),
                            p + "mv.pooled_index");
                }
                if (golden.contains("mv.text_embeds")) {
                    assertClose(p + "mv.text_embeds", golden.readFloats("mv.text_embeds"), out.textEmbeds(), tol[0], tol[1]);
                }
            }
        }
    }
}

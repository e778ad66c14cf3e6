package org.neologism.trainer.model;

import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;

/**
 * SDXL's conditioning ({@code encode_prompt}: both encoders' {@code hidden_states[-2]} side by side and the
 * pooled {@code text_embeds}) matches diffusers for every variant with a conditioning section, and so does the
 * gradient a loss on both outputs sends into each encoder's placeholder row (the pooled path included).
 */
class ConditioningParityTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    static List<Object[]> cases() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariantsWith("conditioning")) {
            for (String kernels : KernelChoice.NAMES) {
                cases.add(new Object[] {variant, kernels});
            }
        }
        return cases;
    }

    private static TextConditioner load(GoldenVariant variant, NDManager manager, String kernelName) {
        return DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER)
                .loadTextConditioner(manager, DataType.FLOAT32, KernelChoice.kernels(kernelName, manager));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void promptAndPooledEmbedsMatchEncodePrompt(GoldenVariant variant, String kernelName) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "conditioning.safetensors")) {
            TextConditioner text = load(variant, manager, kernelName);
            double[] tol = variant.tolerance("conditioning: prompt_embeds", 1e-5, 1e-4);
            Conditioning plain = text.condition(List.of(GoldenTensors.array(manager, golden, "input_ids"),
                    GoldenTensors.array(manager, golden, "input_ids_2")), null);
            assertClose(variant + " prompt_embeds", golden.readFloats("prompt_embeds"), plain.promptEmbeds(), tol[0], tol[1]);
            assertClose(variant + " pooled", golden.readFloats("pooled_prompt_embeds"), plain.pooledPromptEmbeds(), tol[0], tol[1]);

            Conditioning spliced = text.condition(placeholderIds(manager, golden), splices(variant, manager, false));
            assertClose(variant + " ph.prompt_embeds", golden.readFloats("ph.prompt_embeds_random"), spliced.promptEmbeds(),
                    tol[0], tol[1]);
            assertClose(variant + " ph.pooled", golden.readFloats("ph.pooled_prompt_embeds_random"),
                    spliced.pooledPromptEmbeds(), tol[0], tol[1]);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void placeholderGradientsMatchTheVjp(GoldenVariant variant, String kernelName) throws Exception {
        try (NDManager manager = torch.newManager(); SafetensorsFile golden = GoldenTensors.golden(variant, "conditioning.safetensors")) {
            TextConditioner text = load(variant, manager, kernelName);
            List<TokenSplice> splices = splices(variant, manager, true);
            JniUtils.setGradMode(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                Conditioning c = text.condition(placeholderIds(manager, golden), splices);
                NDArray loss = c.promptEmbeds().mul(GoldenTensors.array(manager, golden, "vjp.cotangent_prompt_embeds")).sum()
                        .add(c.pooledPromptEmbeds().mul(GoldenTensors.array(manager, golden, "vjp.cotangent_pooled_prompt_embeds")).sum());
                collector.backward(loss);
            }
            double[] tol = variant.tolerance("vjp.grad_placeholder_row", 5e-4, 1e-4);
            assertClose(variant + " vjp row (text_encoder)", golden.readFloats("vjp.grad_placeholder_row"),
                    splices.get(0).vectors().getGradient(), tol[0], tol[1]);
            assertClose(variant + " vjp row (text_encoder_2)", golden.readFloats("vjp.grad_placeholder_row_2"),
                    splices.get(1).vectors().getGradient(), tol[0], tol[1]);
        }
    }

    private static List<NDArray> placeholderIds(NDManager manager, SafetensorsFile golden) throws Exception {
        return List.of(GoldenTensors.array(manager, golden, "ph.input_ids"), GoldenTensors.array(manager, golden, "ph.input_ids_2"));
    }

    /** Each encoder's recorded random placeholder row, spliced in at that encoder's placeholder id. */
    private static List<TokenSplice> splices(GoldenVariant variant, NDManager manager, boolean trainable) throws Exception {
        List<TokenSplice> splices = new ArrayList<>();
        for (String encoder : List.of("text_encoder", "text_encoder_2")) {
            try (SafetensorsFile golden = GoldenTensors.golden(variant, encoder + ".safetensors")) {
                NDArray row = GoldenTensors.array(manager, golden, "ph.placeholder_row_random").reshape(1, -1);
                row.setRequiresGradient(trainable);
                splices.add(new TokenSplice(new long[] {variant.section(encoder).path("placeholder_id").asLong()}, row));
            }
        }
        return splices;
    }
}

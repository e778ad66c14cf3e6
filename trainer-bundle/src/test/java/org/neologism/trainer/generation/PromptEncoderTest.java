package org.neologism.trainer.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.nn.ComposedKernels;

/**
 * An embedding of the wrong family is refused before anything is drawn, with the widths on both sides: an SD 1.x/2.x
 * embedding on an SDXL model, an SDXL pair on a one-encoder model, half an SDXL pair; a fitting one adds its trigger to
 * every encoder's tokenizer.
 */
class PromptEncoderTest {

    private static TorchEngine torch;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    @TestFactory
    List<DynamicNode> embeddingsMustFitEveryTextEncoder() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            tests.add(variant.testsOfAnyArchitecture(v -> Stream.of(DynamicTest.dynamicTest("refusals", () -> check(v)))));
        }
        return tests;
    }

    private static void check(GoldenVariant variant) throws Exception {
        DiffusersFolder model = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER);
        try (NDManager manager = torch.newManager()) {
            TextConditioner text = model.loadTextConditioner(manager, DataType.FLOAT32, ComposedKernels.INSTANCE);
            int[] widths = text.widths();
            if (widths.length == 1) {
                List<Embedding> pair = List.of(half("<t>", widths[0], "clip_l"), half("<t>", widths[0], "clip_g"));
                String message = refusal(model, text, pair);
                assertTrue(message.contains("is for SDXL") && message.contains("token dimension " + widths[0]), message);
            } else {
                String single = refusal(model, text, List.of(new Embedding("<t>", new int[] {1, widths[0]},
                        new float[widths[0]], "test")));
                assertTrue(single.contains("a model with one text encoder") && single.contains("token dimensions "
                        + widths[0] + " (clip_l) and " + widths[1] + " (clip_g)"), single);
                String lone = refusal(model, text, List.of(half("<t>", widths[0], "clip_l")));
                assertTrue(lone.contains("has no clip_g part"), lone);
                String swapped = refusal(model, text, List.of(half("<t>", widths[1], "clip_l"), half("<t>", widths[0], "clip_g")));
                assertTrue(swapped.contains("(clip_l) has " + widths[1] + "-wide vectors"), swapped);
            }
            List<Embedding> fitting = new ArrayList<>();
            for (int e = 0; e < widths.length; e++) {
                fitting.add(widths.length == 1 ? new Embedding("<t>", new int[] {2, widths[0]}, new float[2 * widths[0]], "test")
                        : half("<t>", widths[e], org.neologism.core.embedding.Embedding.SDXL_ENCODERS.get(e)));
            }
            List<ClipTokenizer> tokenizers = tokenizers(model);
            PromptEncoder encoder = new PromptEncoder(tokenizers, text, fitting);
            for (int e = 0; e < widths.length; e++) {
                assertTrue(tokenizers.get(e).contains("<t>"), "encoder " + e + "'s tokenizer knows the trigger");
                assertEquals(77, encoder.ids("a <t>", e).length);
            }
        }
    }

    private static Embedding half(String trigger, int width, String encoder) {
        int vectors = 2;
        return new Embedding(trigger, new int[] {vectors, width}, new float[vectors * width], "test", encoder);
    }

    private static String refusal(DiffusersFolder model, TextConditioner text, List<Embedding> embeddings) throws Exception {
        List<ClipTokenizer> tokenizers = tokenizers(model);
        return assertThrows(IllegalArgumentException.class, () -> new PromptEncoder(tokenizers, text, embeddings))
                .getMessage();
    }

    private static List<ClipTokenizer> tokenizers(DiffusersFolder model) throws Exception {
        List<ClipTokenizer> tokenizers = new ArrayList<>();
        for (var folder : model.tokenizerFolders()) {
            tokenizers.add(ClipTokenizer.load(folder));
        }
        return tokenizers;
    }
}

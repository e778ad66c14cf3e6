package org.neologism.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Every tokenizer reference of every golden variant (HF transformers 4.33 slow CLIPTokenizer with ftfy 6.1.1):
 * ids must be identical, not close.
 */
class ClipTokenizerParityTest {

    /**
     * One tokenizer of a variant: {@code tokenizer/}, and for SDXL also {@code tokenizer_2/}, whose references
     * carry the key prefix {@code tokenizer_2.}, the text encoder file {@code text_encoder_2} and the training
     * ids {@code input_ids_2} / {@code placeholder_token_ids_2}.
     */
    record Side(GoldenVariant variant, String folder, JsonNode reference, String keyPrefix, String textEncoder,
            String trainSuffix) {

        ClipTokenizer load() throws IOException {
            return ClipTokenizer.load(variant.modelDir().resolve(folder));
        }
    }

    static List<Side> sides(GoldenVariant variant, JsonNode reference) {
        List<Side> sides = new ArrayList<>();
        sides.add(new Side(variant, "tokenizer", reference, "", "text_encoder", ""));
        if (reference.has("tokenizer_2")) {
            sides.add(new Side(variant, "tokenizer_2", reference.get("tokenizer_2"), "tokenizer_2.", "text_encoder_2",
                    "_2"));
        }
        return sides;
    }

    static ClipTokenizer load(GoldenVariant variant) throws IOException {
        return ClipTokenizer.load(variant.model().tokenizer());
    }

    @TestFactory
    Stream<DynamicNode> everyGoldenVariantTokenizesExactlyAsTheReference() throws IOException {
        List<DynamicNode> perVariant = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            Path golden = variant.folder();
            JsonNode reference = variant.json("tokenizer.json");
            JsonNode index = variant.index();
            Path tensors = golden.resolve("tokenizer.safetensors");
            for (Side side : sides(variant, reference)) {
                List<DynamicNode> tests = new ArrayList<>();
                tests.add(dynamicTest("special ids, sizes and the added placeholder",
                        () -> specialIdsAndSizes(side)));
                tests.add(dynamicContainer("ftfy cases", ftfyCases(side, tensors)));
                tests.add(dynamicTest("ftfy, not BERT's BasicTokenizer: they differ only where the index says",
                        () -> followsFtfyWhereTheBasicTokenizerDiffers(side, index, tensors)));
                tests.add(dynamicContainer("multi-vector placeholder", multiVectorCases(side, tensors)));
                tests.add(dynamicTest("text encoder prompts", () -> textEncoderPrompts(side, golden, index)));
                tests.add(dynamicTest("training batches of every run", () -> trainingBatches(side, golden, index)));
                JsonNode embeddings = variant.json("embeddings.json");
                if (side.keyPrefix().isEmpty() && embeddings.has("pipeline_multi_vector")) {
                    tests.add(dynamicTest("diffusers maybe_convert_prompt of a multi-vector embedding",
                            () -> pipelineMultiVectorPrompt(variant, embeddings)));
                }
                perVariant.add(dynamicContainer(variant + " " + side.folder(), tests));
            }
        }
        return perVariant.stream();
    }

    private static void specialIdsAndSizes(Side side) throws IOException {
        JsonNode reference = side.reference();
        ClipTokenizer tokenizer = side.load();
        assertEquals(reference.get("vocab_size").asInt(), tokenizer.vocabularySize());
        assertEquals(reference.get("bos_token_id").asInt(), tokenizer.bosId());
        assertEquals(reference.get("eos_token_id").asInt(), tokenizer.eosId());
        assertEquals(reference.get("pad_token_id").asInt(), tokenizer.padId());
        assertEquals(reference.get("pad_token_id").asInt(), tokenizer.idOf(reference.get("pad_token").asText()));
        assertEquals(reference.get("unk_token_id").asInt(), tokenizer.unknownId());
        assertEquals(reference.get("model_max_length").asInt(), tokenizer.maxLength());
        int[] added = tokenizer.addTokens(List.of(reference.get("placeholder").asText()));
        assertArrayEquals(new int[] {reference.get("placeholder_id").asInt()}, added);
        assertEquals(reference.get("len_tokenizer_after_add").asInt(), tokenizer.vocabularySize());
        assertEquals(reference.get("initializer_token_ids").get(0).asInt(),
                tokenizer.initializerTokenId(reference.get("initializer_token").asText()));
    }

    private static Stream<DynamicNode> ftfyCases(Side side, Path tensors) throws IOException {
        JsonNode reference = side.reference();
        ClipTokenizer tokenizer = side.load();
        tokenizer.addTokens(List.of(reference.get("placeholder").asText()));
        int[][] expectedIds = rows(tensors, side.keyPrefix() + "ftfy.input_ids");
        JsonNode cases = reference.get("cases");
        assertEquals(cases.size(), expectedIds.length, "one tensor row per case");
        List<DynamicNode> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode testCase = cases.get(i);
            int[] expected = expectedIds[i];
            tests.add(dynamicTest(testCase.get("name").asText(), () -> {
                String prompt = testCase.get("prompt").asText();
                assertArrayEquals(expected, tokenizer.encodePadded(prompt), "ids of " + prompt);
                assertArrayEquals(ints(testCase.get("input_ids")), expected, "json and tensor agree");
                assertEquals(strings(testCase.get("tokens")), tokenizer.tokenize(prompt), "tokens of " + prompt);
                assertEquals(testCase.get("untruncated_length").asInt(), tokenizer.tokenCount(prompt) + 2);
            }));
        }
        return tests.stream();
    }

    /**
     * The reference was also run without ftfy (HF then falls back to BERT's BasicTokenizer). The textual
     * inversion requirements install ftfy, so Neologism follows ftfy: it decodes HTML entities ({@code &amp;})
     * and keeps CJK runs together as one word, where BasicTokenizer splits every CJK character into its own
     * word. Every other case must be identical under both.
     */
    private static void followsFtfyWhereTheBasicTokenizerDiffers(Side side, JsonNode index, Path tensors)
            throws IOException {
        JsonNode reference = side.reference();
        ClipTokenizer tokenizer = side.load();
        tokenizer.addTokens(List.of(reference.get("placeholder").asText()));
        int[][] basic = rows(tensors, side.keyPrefix() + "basic.input_ids");
        List<String> differing = new ArrayList<>();
        JsonNode cases = reference.get("cases");
        for (int i = 0; i < cases.size(); i++) {
            JsonNode testCase = cases.get(i);
            int[] ours = tokenizer.encodePadded(testCase.get("prompt").asText());
            if (testCase.get("ftfy_and_basic_agree").asBoolean()) {
                assertArrayEquals(basic[i], ours, testCase.get("name").asText());
            } else {
                assertFalse(Arrays.equals(basic[i], ours), testCase.get("name").asText());
                differing.add(testCase.get("name").asText());
            }
        }
        assertEquals(strings(index.at("/sections/tokenizer/cases_where_ftfy_and_basic_differ")), differing);
    }

    private static Stream<DynamicNode> multiVectorCases(Side side, Path tensors) throws IOException {
        JsonNode multi = side.reference().get("multi_vector");
        List<String> placeholders = strings(multi.get("placeholder_tokens"));
        ClipTokenizer tokenizer = side.load();
        int[] ids = tokenizer.addPlaceholderTokens(placeholders.get(0), placeholders.size());
        assertArrayEquals(ints(multi.get("placeholder_token_ids")), ids);
        assertEquals(multi.get("len_tokenizer").asInt(), tokenizer.vocabularySize());
        assertEquals(placeholders, ClipTokenizer.placeholderTokens(placeholders.get(0), placeholders.size()));
        int[][] expectedIds = rows(tensors, side.keyPrefix() + "multi_vector.input_ids");
        List<DynamicNode> tests = new ArrayList<>();
        for (int i = 0; i < multi.get("cases").size(); i++) {
            JsonNode testCase = multi.get("cases").get(i);
            int[] expected = expectedIds[i];
            tests.add(dynamicTest(testCase.get("name").asText(), () -> {
                String prompt = testCase.get("prompt").asText();
                assertArrayEquals(expected, tokenizer.encodePadded(prompt), "ids of " + prompt);
                assertEquals(strings(testCase.get("tokens")), tokenizer.tokenize(prompt));
            }));
        }
        return tests.stream();
    }

    private static void textEncoderPrompts(Side side, Path golden, JsonNode index) throws IOException {
        JsonNode section = index.at("/sections/" + side.textEncoder());
        Path tensors = golden.resolve(side.textEncoder() + ".safetensors");
        ClipTokenizer tokenizer = side.load();
        assertRows(rows(tensors, "input_ids"), tokenizer, strings(section.get("prompts")));
        int[] placeholder = tokenizer.addTokens(List.of(side.reference().get("placeholder").asText()));
        assertArrayEquals(new int[] {section.get("placeholder_id").asInt()}, placeholder);
        assertEquals(section.get("resized_vocab").asInt(), tokenizer.vocabularySize());
        assertRows(rows(tensors, "ph.input_ids"), tokenizer, strings(section.get("placeholder_prompts")));
    }

    private static void trainingBatches(Side side, Path golden, JsonNode index) throws IOException {
        String suffix = side.trainSuffix();
        Path tensors = golden.resolve("train.safetensors");
        JsonNode runs = index.at("/sections/train/runs");
        assertTrue(runs.size() > 0, "train runs listed in index.json");
        for (JsonNode run : runs) {
            List<String> placeholders = strings(run.get("placeholder_tokens"));
            ClipTokenizer tokenizer = side.load();
            int[] ids = tokenizer.addPlaceholderTokens(placeholders.get(0), run.get("num_vectors").asInt());
            assertArrayEquals(ints(run.get("placeholder_token_ids" + suffix)), ids);
            assertEquals(run.get("len_tokenizer" + suffix).asInt(), tokenizer.vocabularySize());
            assertEquals(run.get("initializer_token_id" + suffix).asInt(),
                    tokenizer.initializerTokenId(run.get("initializer_token").asText()));
            String trigger = ClipTokenizer.expandPlaceholder(placeholders.get(0), run.get("num_vectors").asInt());
            JsonNode texts = run.get("texts");
            for (int step = 0; step < texts.size(); step++) {
                List<String> batch = strings(texts.get(step));
                batch.forEach(text -> assertTrue(text.endsWith(trigger), text + " ends with " + trigger));
                String key = run.get("name").asText() + ".step" + step + ".input_ids" + suffix;
                assertRows(rows(tensors, key), tokenizer, batch);
            }
        }
    }

    /** diffusers' prompt conversion after loading the multi-vector file embeddings.json names. */
    private static void pipelineMultiVectorPrompt(GoldenVariant variant, JsonNode embeddings) throws IOException {
        JsonNode pipeline = embeddings.get("pipeline_multi_vector");
        Path tensors = variant.file("embeddings_expected.safetensors");
        ClipTokenizer tokenizer = load(variant);
        // load_textual_inversion of the file adds the tokens embeddings.json records for it
        JsonNode loaded = null;
        for (JsonNode record : embeddings.get("files")) {
            if (record.get("file").asText().equals(pipeline.get("file").asText())) {
                loaded = record.get("diffusers_load_textual_inversion");
            }
        }
        assertNotNull(loaded, "embeddings.json has no record of " + pipeline.get("file").asText());
        tokenizer.addTokens(strings(loaded.get("added_tokens")));
        String converted = tokenizer.expandMultiVectorTokens(pipeline.get("prompt").asText());
        assertEquals(pipeline.get("converted_prompt").asText(), converted);
        assertRows(rows(tensors, "pipeline_multi_vector.input_ids"), tokenizer, List.of(converted));
    }

    /** A 2-D int64 tensor of {@code file} as int rows (token ids fit in an int; readInts refuses any that do not). */
    private static int[][] rows(Path file, String key) throws IOException {
        try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
            SafetensorsEntry entry = tensors.entry(key);
            assertEquals(DType.I64, entry.dtype(), file + ": dtype of " + key);
            assertEquals(2, entry.shape().length, file + ": rank of " + key);
            int columns = Math.toIntExact(entry.shape()[1]);
            int[] flat = tensors.readInts(key);
            int[][] values = new int[Math.toIntExact(entry.shape()[0])][];
            for (int r = 0; r < values.length; r++) {
                values[r] = Arrays.copyOfRange(flat, r * columns, (r + 1) * columns);
            }
            return values;
        }
    }

    private static void assertRows(int[][] expected, ClipTokenizer tokenizer, List<String> prompts) {
        assertEquals(prompts.size(), expected.length);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(expected[i], tokenizer.encodePadded(prompts.get(i)), "ids of " + prompts.get(i));
        }
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(item -> values.add(item.asText()));
        return values;
    }
}

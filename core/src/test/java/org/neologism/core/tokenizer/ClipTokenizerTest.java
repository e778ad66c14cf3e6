package org.neologism.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.tokenizer.internal.ByteLevelAlphabet;

/** Edge cases, on the tiny-sd1 (pad = EOS) and tiny-sd2 (pad = "!") tokenizer folders. */
class ClipTokenizerTest {

    private static final String ALREADY_CONTAINS = "The tokenizer already contains the token %s. Please pass a "
            + "different `placeholder_token` that is not already in the tokenizer.";

    @TempDir
    Path temp;

    private static Path modelTokenizer(String variant) {
        return ClipTokenizerParityTest.fixtures().resolve("models").resolve(variant).resolve("tokenizer");
    }

    private static ClipTokenizer sd1() throws IOException {
        return ClipTokenizer.load(modelTokenizer("tiny-sd1"));
    }

    private static ClipTokenizer sd2() throws IOException {
        return ClipTokenizer.load(modelTokenizer("tiny-sd2"));
    }

    @Test
    void emptyAndBlankPromptsAreBosEosThenTheModelsOwnPadToken() throws IOException {
        for (ClipTokenizer tokenizer : List.of(sd1(), sd2())) {
            int[] expected = new int[77];
            Arrays.fill(expected, tokenizer.padId());
            expected[0] = tokenizer.bosId();
            expected[1] = tokenizer.eosId();
            assertArrayEquals(expected, tokenizer.encodePadded(""));
            assertArrayEquals(expected, tokenizer.encodePadded(" \t\n\u00A0 "));
            assertEquals(0, tokenizer.encode("").length);
        }
        assertEquals(999, sd1().padId());
        assertEquals(0, sd2().padId());
    }

    @Test
    void aLongPromptKeepsItsFirst75TokensAndEndsWithEosAtPosition76() throws IOException {
        ClipTokenizer tokenizer = sd2();
        tokenizer.addTokens(List.of("<cat-toy>"));
        String prompt = "a very highly detailed photo of a <cat-toy>"
                + " in the garden on the beach at sunset".repeat(12);
        int[] all = tokenizer.encode(prompt);
        assertEquals(130, all.length, "132 tokens with BOS and EOS");
        int[] padded = tokenizer.encodePadded(prompt);
        assertEquals(77, padded.length);
        assertEquals(tokenizer.bosId(), padded[0]);
        assertArrayEquals(Arrays.copyOf(all, 75), Arrays.copyOfRange(padded, 1, 76));
        assertEquals(tokenizer.eosId(), padded[76]);
    }

    @Test
    void exactly75TokensFillTheWindowWithoutPaddingAnd76AreCut() throws IOException {
        ClipTokenizer tokenizer = sd1();
        String word = "photo ";
        assertEquals(1, tokenizer.tokenCount(word));
        int[] full = tokenizer.encodePadded(word.repeat(75));
        assertEquals(tokenizer.idOf("photo</w>"), full[75]);
        assertEquals(tokenizer.eosId(), full[76]);
        assertArrayEquals(full, tokenizer.encodePadded(word.repeat(76)));
    }

    @Test
    void emojiAreByteLevelTokensNeverUnknown() throws IOException {
        ClipTokenizer tokenizer = sd1();
        // U+1F431 = F0 9F 90 B1: four byte symbols, the last one ending the word (as the reference shows)
        assertEquals(List.of("\u00F0", "\u0141", "\u0132", "\u00B1</w>"), tokenizer.tokenize("\uD83D\uDC31"));
        for (String emoji : List.of("\uD83D\uDC4D\uD83C\uDFFD", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                "\u2728", "\uD83C\uDDEB\uD83C\uDDF7")) {
            List<String> tokens = tokenizer.tokenize(emoji);
            String joined = String.join("", tokens);
            assertTrue(joined.endsWith("</w>"), emoji);
            assertEquals(ByteLevelAlphabet.spell(emoji), joined.substring(0, joined.length() - 4),
                    "every UTF-8 byte of " + emoji + " is kept");
            for (int id : tokenizer.encode(emoji)) {
                assertFalse(id == tokenizer.unknownId(), emoji + " gave the unknown id");
            }
        }
    }

    @Test
    void controlCharactersAreDroppedAndCaseIsIgnored() throws IOException {
        ClipTokenizer tokenizer = sd1();
        assertArrayEquals(tokenizer.encode("a photo"), tokenizer.encode("a\u0000 PHO\u007FTO"));
        assertArrayEquals(tokenizer.encode("a photo"), tokenizer.encode("A\tPhoto\r\n"));
    }

    @Test
    void aSymbolMissingFromTheVocabularyBecomesTheUnknownToken() throws IOException {
        Path folder = copyOfSd1Tokenizer();
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = (ObjectNode) json.readTree(folder.resolve("vocab.json").toFile());
        vocab.remove("z</w>");
        json.writeValue(folder.resolve("vocab.json").toFile(), vocab);
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertArrayEquals(new int[] {tokenizer.unknownId()}, tokenizer.encode("z"));
        assertEquals(999, tokenizer.unknownId());
    }

    @Test
    void addedTokensAreMatchedFirstExactCaseAndLongestFirst() throws IOException {
        ClipTokenizer tokenizer = sd1();
        int[] ids = tokenizer.addPlaceholderTokens("<cat-toy>", 3);
        assertArrayEquals(new int[] {1000, 1001, 1002}, ids);
        assertArrayEquals(new int[] {320, 1000, 1001, 1002, 321},
                tokenizer.encode("a<cat-toy><cat-toy>_1<cat-toy>_2b"));
        assertArrayEquals(new int[] {1002, 1001}, tokenizer.encode("<cat-toy>_2 <cat-toy>_1"));
        // "<CAT-TOY>" is ordinary text: lower-cased afterwards, then split by CLIP's pattern
        assertEquals(List.of("<</w>", "cat</w>", "-</w>", "toy</w>", "></w>"), tokenizer.tokenize("<CAT-TOY>"));
        // "_3" was never added: the longest added token is <cat-toy>, then "_3" is ordinary text
        assertEquals(1000, tokenizer.encode("<cat-toy>_3")[0]);
        assertEquals(3, tokenizer.encode("<cat-toy>_3").length);
    }

    @Test
    void specialTokensInsideTextKeepTheirIdsEvenUpperCased() throws IOException {
        ClipTokenizer tokenizer = sd1();
        assertArrayEquals(new int[] {320, 999, 519}, tokenizer.encode("a <|endoftext|> photo"));
        // HF quirk: not matched as a special token (case differs), but lower-cased text matches CLIP's pattern
        // and the BPE cache, which HF seeds with the two special tokens
        assertArrayEquals(new int[] {320, 999, 998}, tokenizer.encode("a <|ENDOFTEXT|><|StartOfText|>"));
    }

    @Test
    void anSd2PadTokenIsNeverMergedIntoAWord() throws IOException {
        // HF makes every special token unsplittable, and SD 2.x uses "!" as its pad token
        assertEquals(List.of("hello</w>", "!", "!</w>"), sd1().tokenize("hello!!"));
        assertEquals(List.of("hello</w>", "!", "!"), sd2().tokenize("hello!!"));
        assertArrayEquals(new int[] {909, 0, 256}, sd1().encode("hello!!"));
        assertArrayEquals(new int[] {909, 0, 0}, sd2().encode("hello!!"));
    }

    @Test
    void aPlaceholderThatIsAlreadyATokenIsRefusedWithDiffusersMessage() throws IOException {
        ClipTokenizer tokenizer = sd1();
        tokenizer.addPlaceholderTokens("<cat-toy>", 1);
        for (String taken : List.of("<cat-toy>", "!", "a</w>", "<|endoftext|>", "<|startoftext|>")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> tokenizer.addPlaceholderTokens(taken, 1));
            assertEquals(String.format(ALREADY_CONTAINS, taken), error.getMessage());
        }
        assertEquals(1001, tokenizer.vocabularySize());
    }

    @Test
    void aMultiVectorPlaceholderWhoseSuffixTokenExistsAddsNothing() throws IOException {
        ClipTokenizer tokenizer = sd1();
        tokenizer.addTokens(List.of("<x>_2"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.addPlaceholderTokens("<x>", 3));
        assertEquals(String.format(ALREADY_CONTAINS, "<x>"), error.getMessage());
        assertEquals(1001, tokenizer.vocabularySize());
        assertFalse(tokenizer.contains("<x>"));
    }

    @Test
    void numVectorsBelowOneIsRefusedWithDiffusersMessage() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ClipTokenizer.placeholderTokens("<x>", 0));
        assertEquals("--num_vectors has to be larger or equal to 1, but is 0", error.getMessage());
    }

    @Test
    void theInitializerMustBeExactlyOneToken() throws IOException {
        ClipTokenizer tokenizer = sd1();
        assertEquals(609, tokenizer.initializerTokenId("toy"));
        assertEquals(609, tokenizer.initializerTokenId(" Toy "));
        for (String notOneToken : List.of("sunset", "a toy", "", "3.14")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> tokenizer.initializerTokenId(notOneToken));
            assertEquals("The initializer token must be a single token.", error.getMessage());
        }
    }

    @Test
    void addTokensBehavesLikeHfAddTokens() throws IOException {
        ClipTokenizer tokenizer = sd1();
        assertArrayEquals(new int[] {1000, 1001}, tokenizer.addTokens(List.of("<a>", "toy</w>", "<b>", "<a>")));
        assertArrayEquals(new int[0], tokenizer.addTokens(List.of("<a>", "<|endoftext|>")));
        assertEquals(1002, tokenizer.vocabularySize());
        assertEquals(Map.of("<a>", 1000, "<b>", 1001), tokenizer.addedTokens());
        assertEquals(1001, tokenizer.idOf("<b>"));
        assertEquals("<b>", tokenizer.tokenOf(1001));
        assertEquals("a</w>", tokenizer.tokenOf(320));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.idOf("<c>"));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenOf(1002));
    }

    @Test
    void expandsPlaceholdersLikeDiffusers() throws IOException {
        assertEquals("<cat-toy> <cat-toy>_1 <cat-toy>_2", ClipTokenizer.expandPlaceholder("<cat-toy>", 3));
        assertEquals("<cat-toy>", ClipTokenizer.expandPlaceholder("<cat-toy>", 1));
        ClipTokenizer tokenizer = sd1();
        assertEquals("a <cat-toy> b", tokenizer.expandMultiVectorTokens("a <cat-toy> b"), "not added: unchanged");
        tokenizer.addPlaceholderTokens("<cat-toy>", 1);
        assertEquals("a <cat-toy> b", tokenizer.expandMultiVectorTokens("a <cat-toy> b"), "one vector: unchanged");
        tokenizer.addTokens(List.of("<cat-toy>_1"));
        assertEquals("<cat-toy> <cat-toy>_1 and <cat-toy> <cat-toy>_1",
                tokenizer.expandMultiVectorTokens("<cat-toy> and <cat-toy>"));
    }

    @Test
    void savedAddedTokensAreLoadedAndMustBeConsecutive() throws IOException {
        Path folder = copyOfSd1Tokenizer();
        Files.writeString(folder.resolve("added_tokens.json"), "{\"<cat-toy>_1\": 1001, \"<cat-toy>\": 1000}");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(1002, tokenizer.vocabularySize());
        assertArrayEquals(new int[] {1000, 1001}, tokenizer.encode("<cat-toy><cat-toy>_1"));

        Files.writeString(folder.resolve("added_tokens.json"), "{\"<cat-toy>\": 1005}");
        InvalidTokenizerFolderException error = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(folder));
        assertTrue(error.getMessage().contains("added_tokens.json"), error.getMessage());
        assertTrue(error.getMessage().contains("Should have index 1000 but has index 1005"), error.getMessage());
    }

    @Test
    void aSpecialTokenMissingFromTheVocabularyIsAddedLikeHfDoes() throws IOException {
        Path folder = copyOfSd1Tokenizer();
        Files.writeString(folder.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(1001, tokenizer.vocabularySize());
        assertEquals(1000, tokenizer.padId());
        assertEquals(1000, tokenizer.encodePadded("a")[3]);
        assertArrayEquals(new int[] {320, 1000}, tokenizer.encode("a<pad>"));
    }

    @Test
    void brokenFoldersAreReportedWithTheFileAndTheFix() throws IOException {
        InvalidTokenizerFolderException notAFolder = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(temp.resolve("nowhere")));
        assertTrue(notAFolder.getMessage().contains("nowhere"), notAFolder.getMessage());

        Path folder = copyOfSd1Tokenizer();
        Files.delete(folder.resolve("merges.txt"));
        InvalidTokenizerFolderException missing = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(folder));
        assertTrue(missing.getMessage().startsWith(folder.resolve("merges.txt") + ": is missing"),
                missing.getMessage());

        Path noLength = copyOfSd1Tokenizer();
        Files.writeString(noLength.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|endoftext|>\"}");
        InvalidTokenizerFolderException length = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(noLength));
        assertTrue(length.getMessage().contains("model_max_length"), length.getMessage());

        Path badJson = copyOfSd1Tokenizer();
        Files.writeString(badJson.resolve("vocab.json"), "{\"a\": 1,");
        InvalidTokenizerFolderException json = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(badJson));
        assertTrue(json.getMessage().startsWith(badJson.resolve("vocab.json") + ": is not valid JSON"),
                json.getMessage());
    }

    @Test
    void mergesBeyondClipsBudgetAreIgnoredLikeHf() throws IOException {
        Path folder = copyOfSd1Tokenizer();
        List<String> lines = Files.readAllLines(folder.resolve("merges.txt"), StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("#version"));
        assertEquals(List.of("o", "f</w>"), sd1WithoutMerges(folder, lines).tokenize("of"));
        assertEquals(List.of("of</w>"), sd1().tokenize("of"));
    }

    private ClipTokenizer sd1WithoutMerges(Path folder, List<String> lines) throws IOException {
        Files.write(folder.resolve("merges.txt"), List.of(lines.get(0)), StandardCharsets.UTF_8);
        return ClipTokenizer.load(folder);
    }

    private Path copyOfSd1Tokenizer() throws IOException {
        Path folder = Files.createTempDirectory(temp, "tokenizer");
        try (Stream<Path> files = Files.list(modelTokenizer("tiny-sd1"))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return folder;
    }
}

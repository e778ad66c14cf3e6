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
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;

/**
 * Edge cases, on the fixture models' tokenizer folders: one that pads with EOS (SD 1.x) and one that pads with
 * another token (SD 2.x's "!"), found by their configuration. Ids are looked up in the vocabulary, never assumed;
 * the words used ("a", "photo", "of") are in every CLIP vocabulary trained on the prompt templates.
 */
class ClipTokenizerTest {

    private static final String ALREADY_CONTAINS = "The tokenizer already contains the token %s. Please pass a "
            + "different `placeholder_token` that is not already in the tokenizer.";

    @TempDir
    Path temp;

    /** The tokenizer folder of the first fixture model whose tokenizer pads with EOS ({@code padIsEos}) or not. */
    private static Path modelTokenizer(boolean padIsEos) throws IOException {
        for (ModelVariant model : Fixtures.modelVariants()) {
            ClipTokenizer tokenizer = ClipTokenizer.load(model.tokenizer());
            if ((tokenizer.padId() == tokenizer.eosId()) == padIsEos) {
                return model.tokenizer();
            }
        }
        throw new AssertionError("no fixture model whose tokenizer pads " + (padIsEos ? "with" : "without") + " EOS");
    }

    /** A tokenizer that pads with EOS, as SD 1.x's. */
    private static ClipTokenizer sd1() throws IOException {
        return ClipTokenizer.load(modelTokenizer(true));
    }

    /** A tokenizer that pads with another token, as SD 2.x's "!". */
    private static ClipTokenizer sd2() throws IOException {
        return ClipTokenizer.load(modelTokenizer(false));
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
        assertEquals(sd1().eosId(), sd1().padId());
        assertEquals(sd2().idOf("!"), sd2().padId());
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
        assertEquals(tokenizer.idOf("<|endoftext|>"), tokenizer.unknownId());
    }

    @Test
    void addedTokensAreMatchedFirstExactCaseAndLongestFirst() throws IOException {
        ClipTokenizer tokenizer = sd1();
        int first = tokenizer.vocabularySize();
        int[] ids = tokenizer.addPlaceholderTokens("<photo-of>", 3);
        assertArrayEquals(new int[] {first, first + 1, first + 2}, ids);
        assertArrayEquals(new int[] {tokenizer.idOf("a</w>"), first, first + 1, first + 2, tokenizer.idOf("b</w>")},
                tokenizer.encode("a<photo-of><photo-of>_1<photo-of>_2b"));
        assertArrayEquals(new int[] {first + 2, first + 1}, tokenizer.encode("<photo-of>_2 <photo-of>_1"));
        // "<PHOTO-OF>" is ordinary text: lower-cased afterwards, then split by CLIP's pattern
        assertEquals(List.of("<</w>", "photo</w>", "-</w>", "of</w>", "></w>"), tokenizer.tokenize("<PHOTO-OF>"));
        // "_3" was never added: the longest added token is <photo-of>, then "_3" is ordinary text
        assertEquals(first, tokenizer.encode("<photo-of>_3")[0]);
        assertEquals(3, tokenizer.encode("<photo-of>_3").length);
    }

    @Test
    void specialTokensInsideTextKeepTheirIdsEvenUpperCased() throws IOException {
        ClipTokenizer tokenizer = sd1();
        int a = tokenizer.idOf("a</w>");
        assertArrayEquals(new int[] {a, tokenizer.eosId(), tokenizer.idOf("photo</w>")}, tokenizer.encode("a <|endoftext|> photo"));
        // HF quirk: not matched as a special token (case differs), but lower-cased text matches CLIP's pattern
        // and the BPE cache, which HF seeds with the two special tokens
        assertArrayEquals(new int[] {a, tokenizer.eosId(), tokenizer.bosId()}, tokenizer.encode("a <|ENDOFTEXT|><|StartOfText|>"));
    }

    @Test
    void anSd2PadTokenIsNeverMergedIntoAWord() throws IOException {
        // HF makes every special token unsplittable, and SD 2.x uses "!" as its pad token
        assertEquals(List.of("photo</w>", "!", "!</w>"), sd1().tokenize("photo!!"));
        assertEquals(List.of("photo</w>", "!", "!"), sd2().tokenize("photo!!"));
        int photo = sd1().idOf("photo</w>");
        assertArrayEquals(new int[] {photo, sd1().idOf("!"), sd1().idOf("!</w>")}, sd1().encode("photo!!"));
        assertArrayEquals(new int[] {sd2().idOf("photo</w>"), sd2().padId(), sd2().padId()}, sd2().encode("photo!!"));
    }

    @Test
    void aPlaceholderThatIsAlreadyATokenIsRefusedWithDiffusersMessage() throws IOException {
        ClipTokenizer tokenizer = sd1();
        tokenizer.addPlaceholderTokens("<cat-toy>", 1);
        int size = tokenizer.vocabularySize();
        for (String taken : List.of("<cat-toy>", "!", "a</w>", "<|endoftext|>", "<|startoftext|>")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> tokenizer.addPlaceholderTokens(taken, 1));
            assertEquals(String.format(ALREADY_CONTAINS, taken), error.getMessage());
        }
        assertEquals(size, tokenizer.vocabularySize());
    }

    @Test
    void aMultiVectorPlaceholderWhoseSuffixTokenExistsAddsNothing() throws IOException {
        ClipTokenizer tokenizer = sd1();
        tokenizer.addTokens(List.of("<x>_2"));
        int size = tokenizer.vocabularySize();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.addPlaceholderTokens("<x>", 3));
        assertEquals(String.format(ALREADY_CONTAINS, "<x>"), error.getMessage());
        assertEquals(size, tokenizer.vocabularySize());
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
        assertEquals(tokenizer.idOf("photo</w>"), tokenizer.initializerTokenId("photo"));
        assertEquals(tokenizer.idOf("photo</w>"), tokenizer.initializerTokenId(" Photo "));
        for (String notOneToken : List.of("a photo", "", "3.14")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> tokenizer.initializerTokenId(notOneToken));
            assertEquals("The initializer token must be a single token.", error.getMessage());
        }
    }

    @Test
    void addTokensBehavesLikeHfAddTokens() throws IOException {
        ClipTokenizer tokenizer = sd1();
        int first = tokenizer.vocabularySize();
        assertArrayEquals(new int[] {first, first + 1}, tokenizer.addTokens(List.of("<a>", "photo</w>", "<b>", "<a>")));
        assertArrayEquals(new int[0], tokenizer.addTokens(List.of("<a>", "<|endoftext|>")));
        assertEquals(first + 2, tokenizer.vocabularySize());
        assertEquals(Map.of("<a>", first, "<b>", first + 1), tokenizer.addedTokens());
        assertEquals(first + 1, tokenizer.idOf("<b>"));
        assertEquals("<b>", tokenizer.tokenOf(first + 1));
        assertEquals("a</w>", tokenizer.tokenOf(tokenizer.idOf("a</w>")));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.idOf("<c>"));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenOf(first + 2));
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
        int first = ClipTokenizer.load(folder).vocabularySize();
        Files.writeString(folder.resolve("added_tokens.json"),
                "{\"<cat-toy>_1\": " + (first + 1) + ", \"<cat-toy>\": " + first + "}");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(first + 2, tokenizer.vocabularySize());
        assertArrayEquals(new int[] {first, first + 1}, tokenizer.encode("<cat-toy><cat-toy>_1"));

        Files.writeString(folder.resolve("added_tokens.json"), "{\"<cat-toy>\": " + (first + 5) + "}");
        InvalidTokenizerFolderException error = assertThrows(InvalidTokenizerFolderException.class,
                () -> ClipTokenizer.load(folder));
        assertTrue(error.getMessage().contains("added_tokens.json"), error.getMessage());
        assertTrue(error.getMessage().contains("Should have index " + first + " but has index " + (first + 5)),
                error.getMessage());
    }

    @Test
    void aSpecialTokenMissingFromTheVocabularyIsAddedLikeHfDoes() throws IOException {
        Path folder = copyOfSd1Tokenizer();
        int first = ClipTokenizer.load(folder).vocabularySize();
        Files.writeString(folder.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(first + 1, tokenizer.vocabularySize());
        assertEquals(first, tokenizer.padId());
        assertEquals(first, tokenizer.encodePadded("a")[3]);
        assertArrayEquals(new int[] {tokenizer.idOf("a</w>"), first}, tokenizer.encode("a<pad>"));
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
        try (Stream<Path> files = Files.list(modelTokenizer(true))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return folder;
    }
}

package org.neologism.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP vocabulary shipped inside core gives openai/clip-vit-large-patch14's tokenizer: 49,408 tokens,
 * CLIP's ids, and each family's pad token; a tokenizer folder written from it reads back identically.
 */
class BundledClipTokenizerTest {

    @Test
    void vocabularyHasClipsSizeAndIds() {
        ClipTokenizer tokenizer = ClipTokenizer.bundled(ClipTokenizer.END_OF_TEXT);
        assertEquals(49408, tokenizer.vocabularySize());
        assertEquals(49406, tokenizer.bosId());
        assertEquals(49407, tokenizer.eosId());
        assertEquals(49407, tokenizer.padId());
        assertEquals(320, tokenizer.idOf("a</w>"));
        assertEquals(0, tokenizer.idOf("!"));
    }

    @Test
    void encodesAsClip() {
        ClipTokenizer tokenizer = ClipTokenizer.bundled(ClipTokenizer.END_OF_TEXT);
        // CLIPTokenizer.from_pretrained("openai/clip-vit-large-patch14")("a photo of a cat").input_ids
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407},
                Arrays.copyOf(tokenizer.encodePadded("a photo of a cat"), 7));
    }

    @Test
    void sd2PadsWithExclamationMark() {
        int[] ids = ClipTokenizer.bundled("!").encodePadded("a cat");
        assertEquals(77, ids.length);
        assertEquals(49407, ids[3]);
        assertEquals(0, ids[76]);
        assertEquals(49407, ClipTokenizer.bundled(ClipTokenizer.END_OF_TEXT).encodePadded("a cat")[76]);
    }

    @Test
    void writtenFolderReadsBackAsTheSameTokenizer(@TempDir Path dir) throws Exception {
        ClipVocabularyFiles.bundled().writeTokenizerFolder(dir.resolve("tokenizer"), "!");
        assertEquals("#version: 0.2", Files.readAllLines(dir.resolve("tokenizer/merges.txt")).get(0));
        ClipTokenizer read = ClipTokenizer.load(dir.resolve("tokenizer"));
        ClipTokenizer bundled = ClipTokenizer.bundled("!");
        String prompt = "A painting of <cat-toy> in the style of van Gogh, 1889!";
        assertEquals(bundled.vocabularySize(), read.vocabularySize());
        assertEquals(Arrays.toString(bundled.encodePadded(prompt)), Arrays.toString(read.encodePadded(prompt)));
        assertEquals(bundled.padId(), read.padId());
    }
}

package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

class EmbeddingFormatsTest {

    @TempDir
    Path temp;

    /** A codec from another bundle: it sees only the path, and claims every file whose name says ".bin". */
    private static final class GreedyForeignCodec implements EmbeddingCodec {
        @Override
        public String format() {
            return "greedy";
        }

        @Override
        public String description() {
            return "claims .bin files";
        }

        @Override
        public boolean recognises(Path file) {
            return file.toString().endsWith(".bin");
        }

        @Override
        public List<Embedding> read(Path file) {
            return List.of(new Embedding("greedy", new int[] {1}, new float[] {1}, format()));
        }

        @Override
        public void write(List<Embedding> embeddings, Path file) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aForeignCodecIsAskedAboutTheFileAndAFileTwoFormatsClaimIsAnError() throws IOException {
        List<EmbeddingCodec> codecs = new ArrayList<>(AllCodecs.formats().codecs());
        codecs.add(new GreedyForeignCodec());
        EmbeddingFormats formats = new EmbeddingFormats(codecs);
        // Copied under names of our choosing: the foreign codec judges by the name, ours by the content.
        EmbeddingFixture diffusers = EmbeddingFixture.find(EmbeddingFixture.all(), "a diffusers safetensors file",
                f -> f.format().equals(DiffusersSafetensorsCodec.FORMAT));
        Path safetensors = Files.copy(diffusers.file(), temp.resolve("embedding.safetensors"));
        assertEquals(DiffusersSafetensorsCodec.FORMAT, formats.detect(safetensors).codec().format());
        EmbeddingFixture learnedEmbeds = EmbeddingFixture.find(EmbeddingFixture.all(), "a learned_embeds.bin file",
                f -> f.format().equals(LearnedEmbedsBinCodec.FORMAT));
        Path bin = Files.copy(learnedEmbeds.file(), temp.resolve("embedding.bin"));
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.detect(bin));
        assertTrue(error.getMessage().contains("greedy") && error.getMessage().contains(LearnedEmbedsBinCodec.FORMAT), error.getMessage());
    }

    @Test
    void anUnknownFormatNameListsTheKnownOnes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> AllCodecs.formats().codec("ckpt"));
        assertEquals("Unknown format 'ckpt'; use one of a1111_pt, bare_tensor_pt, diffusers_safetensors, kohya_emb_params,"
                + " learned_embeds_bin, onetrainer_emp_params, sdxl_clip_pair, textual_inversion_pt", error.getMessage());
    }
}

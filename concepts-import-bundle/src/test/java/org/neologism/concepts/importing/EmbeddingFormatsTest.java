package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.neologism.concepts.AllCodecs;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

class EmbeddingFormatsTest {

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
        GoldenVariant variant = Fixtures.supportedGoldenVariants().get(0);
        assertEquals("diffusers_safetensors",
                formats.detect(variant.file("embeddings/diffusers_script_learned_embeds.safetensors")).codec().format());
        Path bin = variant.file("embeddings/sd_concepts_learned_embeds.bin");
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.detect(bin));
        assertTrue(error.getMessage().contains("greedy") && error.getMessage().contains("learned_embeds_bin"), error.getMessage());
    }

    @Test
    void anUnknownFormatNameListsTheKnownOnes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> AllCodecs.formats().codec("ckpt"));
        assertEquals("Unknown format 'ckpt'; use one of a1111_pt, bare_tensor_pt, diffusers_safetensors, kohya_emb_params,"
                + " learned_embeds_bin, onetrainer_emp_params, sdxl_clip_pair, textual_inversion_pt", error.getMessage());
    }
}

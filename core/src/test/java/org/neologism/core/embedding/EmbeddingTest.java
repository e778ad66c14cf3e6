package org.neologism.core.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmbeddingTest {

    @Test
    void aOneDimensionalFileIsOneVectorOfItsWidth() {
        Embedding single = new Embedding("<cat-toy>", new int[] {4}, new float[] {1, 2, 3, 4}, "learned_embeds_bin");
        assertEquals(1, single.vectorCount());
        assertEquals(4, single.width());
        assertArrayEquals(new float[] {1, 2, 3, 4}, single.vector(0));
    }

    @Test
    void rowsOfAMultiVectorEmbeddingAreItsVectors() {
        Embedding multi = Embedding.ofVectors("<t>", new float[][] {{1, 2}, {3, 4}, {5, 6}}, "neologism");
        assertEquals(3, multi.vectorCount());
        assertEquals(2, multi.width());
        assertArrayEquals(new int[] {3, 2}, multi.shape());
        assertArrayEquals(new float[] {5, 6}, multi.vector(2));
        assertThrows(IndexOutOfBoundsException.class, () -> multi.vector(3));
    }

    @Test
    void aShapeThatDisagreesWithTheValuesIsRefusedWithBoth() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Embedding("<t>", new int[] {2, 3}, new float[5], "x"));
        assertTrue(error.getMessage().contains("[2, 3]") && error.getMessage().contains("5"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Embedding("<t>", new int[] {1, 1, 1}, new float[1], "x"));
        assertThrows(IllegalArgumentException.class, () -> new Embedding("<t>", new int[] {0}, new float[0], "x"));
    }

    @Test
    void callersCannotChangeAnEmbeddingThroughItsArrays() {
        float[] values = {1, 2};
        Embedding embedding = new Embedding("<t>", new int[] {2}, values, "x");
        embedding.values()[0] = 99;
        embedding.shape()[0] = 7;
        assertEquals(1f, embedding.vector(0)[0]);
        assertEquals(2, embedding.width());
    }

    @Test
    void equalityIsByContent() {
        Embedding a = new Embedding("<t>", new int[] {2}, new float[] {1, 2}, "x");
        assertEquals(a, new Embedding("<t>", new int[] {2}, new float[] {1, 2}, "x"));
        assertEquals(a.hashCode(), new Embedding("<t>", new int[] {2}, new float[] {1, 2}, "x").hashCode());
        assertNotEquals(a, a.withTrigger("<u>"));
    }

    @Test
    void anSdxlHalfNamesItsEncoderAndDiffersFromTheSameVectorsForOneEncoder() {
        Embedding clipL = new Embedding("<t>", new int[] {2}, new float[] {1, 2}, "sdxl_clip_pair", "clip_l");
        Embedding single = new Embedding("<t>", new int[] {2}, new float[] {1, 2}, "sdxl_clip_pair");
        assertTrue(clipL.isForOneOfSeveralEncoders());
        assertEquals(Embedding.ONLY_ENCODER, single.encoder());
        assertTrue(!single.isForOneOfSeveralEncoders());
        assertNotEquals(clipL, single);
        assertEquals("clip_l", clipL.withTrigger("<u>").encoder());
        assertTrue(clipL.toString().contains("clip_l"), clipL.toString());
    }
}

package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;

/**
 * The SD pipeline's {@code encode_prompt} with textual-inversion tokens loaded as diffusers'
 * {@code load_textual_inversion} does: each embedding's trigger (and {@code trigger_1 .. trigger_{n-1}} for
 * n vectors) is added to the tokenizer, prompts are expanded by {@code maybe_convert_prompt}, padded to 77
 * ids, and encoded to {@code last_hidden_state} with the embedding rows in place of the new ids.
 */
public final class PromptEncoder {

    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final long[] tokenIds;
    private final float[][] rows;

    /**
     * @param tokenizer  a tokenizer of the model, to which the triggers are added (load a fresh one per encoder)
     * @param embeddings the embeddings to use, each [n, d] with d the text encoder's width
     */
    public PromptEncoder(ClipTokenizer tokenizer, ClipTextModel textEncoder, List<Embedding> embeddings) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        List<Long> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (Embedding embedding : embeddings) {
            if (embedding.width() != textEncoder.width()) {
                throw new IllegalArgumentException("The embedding " + embedding.trigger() + " has " + embedding.width()
                        + "-wide vectors, but this model's text encoder takes " + textEncoder.width()
                        + ": use an embedding trained for this model family");
            }
            int[] added = tokenizer.addTokens(ClipTokenizer.placeholderTokens(embedding.trigger(), embedding.vectorCount()));
            if (added.length != embedding.vectorCount()) {
                throw new IllegalArgumentException("The trigger " + embedding.trigger() + " is already a token of this"
                        + " model's tokenizer: rename the embedding (ti:import --trigger) to use it");
            }
            for (int i = 0; i < added.length; i++) {
                ids.add((long) added[i]);
                vectors.add(embedding.vector(i));
            }
        }
        tokenIds = ids.stream().mapToLong(Long::longValue).toArray();
        rows = vectors.toArray(float[][]::new);
    }

    /** The prompt as the text encoder sees it, with multi-vector triggers expanded. */
    public String converted(String prompt) {
        return tokenizer.expandMultiVectorTokens(prompt);
    }

    /** The 77 input ids of {@code prompt}. */
    public long[] ids(String prompt) {
        return Arrays.stream(tokenizer.encodePadded(converted(prompt))).asLongStream().toArray();
    }

    /** {@code last_hidden_state} [1, 77, d] of {@code prompt}, in {@code manager}. */
    public NDArray encode(NDManager manager, String prompt) {
        long[] ids = ids(prompt);
        NDArray input = manager.create(ids, new Shape(1, ids.length));
        if (tokenIds.length == 0) {
            return textEncoder.forward(input);
        }
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        NDArray vectors = manager.create(flat, new Shape(rows.length, rows[0].length));
        return textEncoder.forward(input, new TokenSplice(tokenIds, vectors));
    }
}

package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;

/**
 * The pipelines' {@code encode_prompt} with textual-inversion tokens loaded as diffusers'
 * {@code load_textual_inversion} does: each embedding's trigger (and {@code trigger_1 .. trigger_{n-1}} for
 * n vectors) is added to the tokenizer of every text encoder, prompts are expanded by
 * {@code maybe_convert_prompt}, padded to 77 ids, and encoded by the model's {@link TextConditioner} with the
 * embedding rows in place of the new ids. An SDXL embedding is two parts with one trigger: its {@code clip_l}
 * rows go into the first encoder, its {@code clip_g} rows into the second (diffusers' one call per encoder).
 */
public final class PromptEncoder {

    private final List<ClipTokenizer> tokenizers;
    private final TextConditioner text;
    /** Per encoder: the ids added to its tokenizer and the rows they stand for. */
    private final List<long[]> tokenIds = new ArrayList<>();
    private final List<float[][]> rows = new ArrayList<>();

    /**
     * @param tokenizers one per text encoder, in encoder order, to which the triggers are added (fresh ones: an
     *                   encoder's added tokens stay for its life)
     * @param embeddings the embeddings to use: single-encoder ones for SD 1.x/2.x, {@code clip_l}/{@code clip_g}
     *                   pairs for SDXL
     */
    public PromptEncoder(List<ClipTokenizer> tokenizers, TextConditioner text, List<Embedding> embeddings) {
        int encoders = text.encoders().size();
        if (tokenizers.size() != encoders) {
            throw new IllegalArgumentException(encoders + " text encoders need as many tokenizers, not " + tokenizers.size());
        }
        this.tokenizers = List.copyOf(tokenizers);
        this.text = text;
        Map<String, Embedding[]> byTrigger = partsByTrigger(embeddings, text.widths());
        for (int e = 0; e < encoders; e++) {
            List<Long> ids = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (Embedding[] parts : byTrigger.values()) {
                Embedding part = parts[e];
                int[] added = tokenizers.get(e).addTokens(ClipTokenizer.placeholderTokens(part.trigger(), part.vectorCount()));
                if (added.length != part.vectorCount()) {
                    throw new IllegalArgumentException("The trigger " + part.trigger() + " is already a token of this"
                            + " model's tokenizer: rename the embedding (ti:import --trigger) to use it");
                }
                for (int i = 0; i < added.length; i++) {
                    ids.add((long) added[i]);
                    vectors.add(part.vector(i));
                }
            }
            tokenIds.add(ids.stream().mapToLong(Long::longValue).toArray());
            rows.add(vectors.toArray(float[][]::new));
        }
    }

    /**
     * Each trigger's part per encoder; a part that does not fit its encoder is refused with the widths on both
     * sides, as the library refuses it.
     */
    private static Map<String, Embedding[]> partsByTrigger(List<Embedding> embeddings, int[] widths) {
        Map<String, Embedding[]> byTrigger = new LinkedHashMap<>();
        for (Embedding embedding : embeddings) {
            int encoder = widths.length == 1 ? (embedding.isForOneOfSeveralEncoders() ? -1 : 0)
                    : Embedding.SDXL_ENCODERS.indexOf(embedding.encoder());
            if (encoder < 0) {
                throw new IllegalArgumentException("The embedding " + embedding.trigger() + " is for "
                        + (embedding.isForOneOfSeveralEncoders() ? "SDXL" : "a model with one text encoder")
                        + ", but this model takes " + describe(widths) + ": use an embedding trained for this model family");
            }
            if (embedding.width() != widths[encoder]) {
                throw new IllegalArgumentException("The embedding " + embedding.trigger()
                        + (widths.length == 1 ? "" : " (" + embedding.encoder() + ")") + " has " + embedding.width()
                        + "-wide vectors, but this model takes " + describe(widths)
                        + ": use an embedding trained for this model family");
            }
            Embedding[] parts = byTrigger.computeIfAbsent(embedding.trigger(), t -> new Embedding[widths.length]);
            parts[encoder] = embedding;
        }
        byTrigger.forEach((trigger, parts) -> {
            for (int e = 0; e < parts.length; e++) {
                if (parts[e] == null) {
                    throw new IllegalArgumentException("The SDXL embedding " + trigger + " has no " + Embedding.SDXL_ENCODERS.get(e)
                            + " part; an SDXL model needs both halves (clip_l and clip_g)");
                }
                if (parts[e].vectorCount() != parts[0].vectorCount()) {
                    throw new IllegalArgumentException("The halves of the SDXL embedding " + trigger + " have "
                            + parts[0].vectorCount() + " and " + parts[e].vectorCount() + " vectors; they need as many");
                }
            }
        });
        return byTrigger;
    }

    /** "token dimension 768", or SDXL's "token dimensions 768 (clip_l) and 1280 (clip_g)". */
    private static String describe(int[] widths) {
        return widths.length == 1 ? "token dimension " + widths[0]
                : "token dimensions " + widths[0] + " (" + Embedding.SDXL_ENCODERS.get(0) + ") and " + widths[1] + " (" + Embedding.SDXL_ENCODERS.get(1) + ")";
    }

    /** The prompt as the (first) text encoder sees it, with multi-vector triggers expanded. */
    public String converted(String prompt) {
        return tokenizers.get(0).expandMultiVectorTokens(prompt);
    }

    /** The 77 input ids of {@code prompt} for the first text encoder. */
    public long[] ids(String prompt) {
        return ids(prompt, 0);
    }

    /** The 77 input ids of {@code prompt} for text encoder {@code encoder} (its own tokenizer's expansion and padding). */
    public long[] ids(String prompt, int encoder) {
        ClipTokenizer tokenizer = tokenizers.get(encoder);
        return Arrays.stream(tokenizer.encodePadded(tokenizer.expandMultiVectorTokens(prompt))).asLongStream().toArray();
    }

    /** The number of text encoders (and tokenizers). */
    public int encoderCount() {
        return tokenizers.size();
    }

    /** {@code prompt_embeds} [1, 77, D] (and SDXL's pooled [1, P]) of {@code prompt}, in {@code manager}. */
    public Conditioning encode(NDManager manager, String prompt) {
        List<NDArray> ids = new ArrayList<>();
        List<TokenSplice> splices = new ArrayList<>();
        boolean anyTokens = false;
        for (int e = 0; e < tokenizers.size(); e++) {
            long[] encoderIds = ids(prompt, e);
            ids.add(manager.create(encoderIds, new Shape(1, encoderIds.length)));
            splices.add(splice(manager, e));
            anyTokens |= tokenIds.get(e).length > 0;
        }
        return text.condition(ids, anyTokens ? splices : null);
    }

    private TokenSplice splice(NDManager manager, int encoder) {
        float[][] vectors = rows.get(encoder);
        if (vectors.length == 0) {
            return null;
        }
        int width = vectors[0].length;
        float[] flat = new float[vectors.length * width];
        for (int i = 0; i < vectors.length; i++) {
            System.arraycopy(vectors[i], 0, flat, i * width, width);
        }
        return new TokenSplice(tokenIds.get(encoder), manager.create(flat, new Shape(vectors.length, width)));
    }
}

package org.neologism.concepts.importing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.model.ModelDescription;

/**
 * The token width of a diffusers model folder, as {@link ModelDescription} reads it: {@code text_encoder}'s
 * (768 for SD 1.x, 1024 for SD 2.x), or {@code text_encoder_2}'s for SDXL's second encoder.
 */
public final class ModelTokenWidth {

    private ModelTokenWidth() {
    }

    /**
     * Refuses an embedding whose width differs from the model's, with InvokeAI's message.
     *
     * @throws EmbeddingWidthMismatchException when the widths differ
     * @throws IOException                     naming the model folder when it has no readable text encoder config
     */
    public static void check(Embedding embedding, Path modelFolder) throws IOException {
        int modelWidth = of(modelFolder, embedding.encoder());
        if (embedding.width() != modelWidth) {
            throw new EmbeddingWidthMismatchException(embedding.trigger(), embedding.width(), modelWidth);
        }
    }

    /**
     * Refuses an embedding (its parts: one, or SDXL's clip_l and clip_g halves) that does not fit the model:
     * a width that differs, an SD 1.x/2.x embedding on an SDXL model, or an SDXL embedding on a model with one
     * text encoder.
     */
    public static void check(List<Embedding> parts, Path modelFolder) throws IOException {
        boolean sdxlModel = ModelDescription.read(modelFolder).hasSecondEncoder();
        boolean sdxlEmbedding = parts.stream().anyMatch(Embedding::isForOneOfSeveralEncoders);
        String trigger = parts.get(0).trigger();
        int[] embeddingWidths = parts.stream().mapToInt(Embedding::width).toArray();
        if (sdxlModel && !sdxlEmbedding) {
            throw new EmbeddingWidthMismatchException(trigger, EmbeddingWidthMismatchException.dimensions(embeddingWidths),
                    EmbeddingWidthMismatchException.dimensions(of(modelFolder, SdxlPairCodec.CLIP_L),
                            of(modelFolder, SdxlPairCodec.CLIP_G)));
        }
        if (!sdxlModel && sdxlEmbedding) {
            throw new EmbeddingWidthMismatchException(trigger, EmbeddingWidthMismatchException.dimensions(embeddingWidths),
                    EmbeddingWidthMismatchException.dimensions(of(modelFolder, Embedding.ONLY_ENCODER)));
        }
        for (Embedding part : parts) {
            check(part, modelFolder);
        }
    }

    /** The width of the text encoder an embedding part is for (SDXL's second encoder for its {@code clip_g} half). */
    public static int of(Path modelFolder, String encoder) throws IOException {
        ModelDescription model = ModelDescription.read(modelFolder);
        return SdxlPairCodec.CLIP_G.equals(encoder) && model.hasSecondEncoder()
                ? model.tokenWidths().get(1) : model.tokenWidth();
    }
}

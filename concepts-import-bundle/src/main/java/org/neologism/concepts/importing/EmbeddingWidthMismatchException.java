package org.neologism.concepts.importing;

import java.io.IOException;

/** An embedding trained on a model of another token width; the message is InvokeAI's, word for word. */
public class EmbeddingWidthMismatchException extends IOException {

    private static final long serialVersionUID = 1L;

    public EmbeddingWidthMismatchException(String trigger, int embeddingWidth, int modelWidth) {
        super("Cannot load embedding for " + trigger + ". It was trained on a model with token dimension "
                + embeddingWidth + ", but the current model has token dimension " + modelWidth);
    }

    /**
     * InvokeAI's wording adapted to SDXL's two widths, for an SD 1.x/2.x embedding on an SDXL model or the
     * reverse: each side is "token dimension 768" or "token dimensions 768 (clip_l) and 1280 (clip_g)".
     */
    public EmbeddingWidthMismatchException(String trigger, String embeddingDimensions, String modelDimensions) {
        super("Cannot load embedding for " + trigger + ". It was trained on a model with " + embeddingDimensions
                + ", but the current model has " + modelDimensions);
    }

    static String dimensions(int... widths) {
        return widths.length == 1 ? "token dimension " + widths[0]
                : "token dimensions " + widths[0] + " (clip_l) and " + widths[1] + " (clip_g)";
    }
}

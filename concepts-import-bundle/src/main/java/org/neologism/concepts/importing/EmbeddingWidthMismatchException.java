package org.neologism.concepts.importing;

import java.io.IOException;

/** An embedding trained on a model of another token width; the message is InvokeAI's, word for word. */
public class EmbeddingWidthMismatchException extends IOException {

    private static final long serialVersionUID = 1L;

    public EmbeddingWidthMismatchException(String trigger, int embeddingWidth, int modelWidth) {
        super("Cannot load embedding for " + trigger + ". It was trained on a model with token dimension "
                + embeddingWidth + ", but the current model has token dimension " + modelWidth);
    }
}

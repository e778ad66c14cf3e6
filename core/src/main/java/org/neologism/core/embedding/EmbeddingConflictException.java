package org.neologism.core.embedding;

import java.io.IOException;
import java.nio.file.Path;

/** An embedding would replace an installed one; the message names both and the way to replace it. */
public class EmbeddingConflictException extends IOException {

    private static final long serialVersionUID = 1L;

    public EmbeddingConflictException(String trigger, Path existing) {
        super("An embedding with trigger " + trigger + " is installed already at " + existing
                + "; remove it first (ti:remove " + trigger + ") or replace it with --force");
    }
}

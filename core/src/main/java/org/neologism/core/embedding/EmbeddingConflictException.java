package org.neologism.core.embedding;

import java.io.IOException;
import java.nio.file.Path;

/** An embedding would replace an installed one; the message names both and the way to replace it. */
public class EmbeddingConflictException extends IOException {

    private static final long serialVersionUID = 1L;

    public EmbeddingConflictException(String trigger, Path existing) {
        super("An embedding with trigger " + trigger + " is installed already at " + existing
                + "; remove it first (ti:remove " + shellWord(trigger) + ") or replace it with --force");
    }

    protected EmbeddingConflictException(String message) {
        super(message);
    }

    /**
     * The trigger as one word of the Gogo shell, so the advice works when pasted: {@code <} and {@code >}
     * are redirections there unless quoted. Single quotes take everything literally; a trigger holding a
     * single quote goes in double quotes with the characters they expand escaped.
     */
    public static String shellWord(String trigger) {
        if (!trigger.contains("'")) {
            return "'" + trigger + "'";
        }
        return "\"" + trigger.replaceAll("([\"\\\\$])", "\\\\$1") + "\"";
    }
}

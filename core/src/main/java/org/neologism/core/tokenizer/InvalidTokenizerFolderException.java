package org.neologism.core.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** A tokenizer folder that cannot be read; the message names the file and what is wrong with it. */
public class InvalidTokenizerFolderException extends IOException {

    private static final long serialVersionUID = 1L;

    public InvalidTokenizerFolderException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public InvalidTokenizerFolderException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

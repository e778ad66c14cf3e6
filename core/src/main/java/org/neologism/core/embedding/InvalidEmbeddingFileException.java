package org.neologism.core.embedding;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot be read as an embedding; the message names the file and what is wrong with it. */
public class InvalidEmbeddingFileException extends IOException {

    private static final long serialVersionUID = 1L;

    public InvalidEmbeddingFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public InvalidEmbeddingFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

package org.neologism.core.tensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tensor file that is truncated, inconsistent or refused (e.g. a pickle naming a forbidden global).
 * The message starts with the file and says what is wrong with it.
 */
public class MalformedTensorFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public MalformedTensorFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public MalformedTensorFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}

package org.neologism.core.embedding;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An embedding file found in the library.
 *
 * @param trigger the term used in prompts
 * @param file    the file holding it
 * @param format  the codec name its content was recognised as
 * @param parts   its vectors: one embedding, or the two halves of an SDXL pair
 */
public record InstalledEmbedding(String trigger, Path file, String format, List<Embedding> parts) {

    public InstalledEmbedding {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("An installed embedding has at least one part");
        }
    }

    /** The number of vectors (tokens) the trigger expands to. */
    public int vectorCount() {
        return parts.get(0).vectorCount();
    }
}

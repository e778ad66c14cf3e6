package org.neologism.core.internal.dataset;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image's caption file turned into its training prompt: {@code {}} and {@code [name]} (the A1111
 * marker) become the trigger; a caption that names the trigger neither by a marker nor literally gets
 * it in front, since a prompt without the trigger gives its vectors no gradient. Blank files are no caption.
 */
final class Caption {

    static final String PYTHON_MARKER = "{}";
    static final String A1111_MARKER = "[name]";

    private Caption() {}

    static Optional<String> read(Path captionFile, String trigger) throws IOException {
        String text;
        try {
            text = Files.readString(captionFile, StandardCharsets.UTF_8).strip();
        } catch (CharacterCodingException e) {
            throw new IOException("The caption file " + captionFile + " is not UTF-8 text. Save it as UTF-8.", e);
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (trigger == null || trigger.isBlank()) {
            throw new IOException("The caption file " + captionFile + " needs the trigger to be known:"
                    + " give --placeholder_token, or remove the caption files from --train_data_dir.");
        }
        return Optional.of(prompt(text, trigger));
    }

    static String prompt(String caption, String trigger) {
        if (caption.contains(PYTHON_MARKER) || caption.contains(A1111_MARKER)) {
            return caption.replace(PYTHON_MARKER, trigger).replace(A1111_MARKER, trigger);
        }
        if (caption.contains(trigger)) {
            return caption;
        }
        return trigger + ", " + caption;
    }
}

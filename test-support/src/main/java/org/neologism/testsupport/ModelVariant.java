package org.neologism.testsupport;

import java.nio.file.Path;

/**
 * One diffusers model folder of the fixtures.
 *
 * @param folder the folder holding {@code model_index.json}
 */
public record ModelVariant(Path folder) {

    public String name() {
        return folder.getFileName().toString();
    }

    public Architecture architecture() {
        return Architecture.of(folder);
    }

    /** The CLIP tokenizer folder of the (first) text encoder. */
    public Path tokenizer() {
        return folder.resolve("tokenizer");
    }

    public void assumeSupported() {
        architecture().assumeSupported(name());
    }

    @Override
    public String toString() {
        return name();
    }
}

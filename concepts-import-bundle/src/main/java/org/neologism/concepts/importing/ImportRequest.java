package org.neologism.concepts.importing;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code ti:import} was asked to do.
 *
 * @param source  an embedding file in any format, or an sd-concepts-library folder
 * @param trigger the trigger to install it under instead of its own
 * @param model   a diffusers model folder whose token width the embedding must have
 * @param force   replace an installed embedding with the same trigger
 */
public record ImportRequest(Path source, Optional<String> trigger, Optional<Path> model, boolean force) {

    public ImportRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(model, "model");
    }

    public static ImportRequest of(Path source) {
        return new ImportRequest(source, Optional.empty(), Optional.empty(), false);
    }
}

package org.neologism.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * One original-layout checkpoint set under {@code single-file/}, as {@code single-file/index.json} lists it.
 *
 * @param name   its key in the index
 * @param folder its folder (the index's {@code dir}, relative to the fixtures folder)
 * @param entry  its entry in the index (file sizes, what diffusers infers)
 */
public record SingleFileVariant(String name, Path folder, JsonNode entry) {

    /** Its {@code expected.json}: what diffusers makes of each file, and the model folder it was converted from. */
    public JsonNode expected() {
        return Json.read(folder.resolve("expected.json"));
    }

    /** The diffusers folder the checkpoints were written from ({@code expected.json} {@code source_folder.path}). */
    public Path sourceFolder() {
        return Fixtures.root().resolve(expected().path("source_folder").path("path").asText()).normalize();
    }

    public Architecture architecture() {
        return Architecture.of(sourceFolder());
    }

    public void assumeSupported() {
        architecture().assumeSupported(name());
    }

    @Override
    public String toString() {
        return name();
    }
}

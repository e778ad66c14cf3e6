package org.neologism.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * The architecture of a fixture model, from its data: the pipeline class in {@code model_index.json}.
 * This is the one place that knows which architectures the product handles; a test of a variant of any
 * other says that it skips it, and why, instead of failing or passing silently.
 *
 * @param pipelineClass the diffusers pipeline, e.g. {@code StableDiffusionPipeline}
 */
public record Architecture(String pipelineClass) {

    /**
     * The pipelines whose variants the general (single text encoder) fixture tests cover. SDXL is trained and
     * tested by its own parity tests (two encoders, added conditions, its own embedding file set); adding
     * StableDiffusionXLPipeline here needs the general tests to learn SDXL's fixture layout first.
     */
    static final Set<String> SUPPORTED = Set.of("StableDiffusionPipeline", "StableDiffusionXLPipeline");

    /** The architecture of the diffusers folder {@code modelFolder}. */
    public static Architecture of(Path modelFolder) {
        Path index = modelFolder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new IllegalStateException("No model_index.json in " + modelFolder + ": not a diffusers model folder");
        }
        String pipeline = Json.read(index).path("_class_name").asText("");
        if (pipeline.isEmpty()) {
            throw new IllegalStateException(index + " has no _class_name");
        }
        return new Architecture(pipeline);
    }

    public boolean supported() {
        return SUPPORTED.contains(pipelineClass);
    }

    /** Why {@code variant} is skipped: e.g. "tiny-sdxl: StableDiffusionXLPipeline is covered by its own tests, not this one". */
    public String notSupported(String variant) {
        return variant + ": " + pipelineClass + " is covered by its own tests, not this one";
    }

    /** Aborts the running test (JUnit reports it skipped, with the reason) unless the product supports this architecture. */
    public void assumeSupported(String variant) {
        if (!supported()) {
            System.out.println("Skipped " + notSupported(variant));
            Assumptions.abort(notSupported(variant));
        }
    }
}

package org.neologism.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * One folder under {@code golden/}: reference outputs of one model, described by its {@code index.json}.
 *
 * @param folder the variant's folder
 * @param index  its parsed {@code index.json}
 */
public record GoldenVariant(Path folder, JsonNode index) {

    /** The folder name, as tests show it. */
    public String name() {
        return folder.getFileName().toString();
    }

    /** The model the references were computed from: {@code index.json}'s {@code model_dir}, relative to this folder. */
    public Path modelDir() {
        String relative = index.path("model_dir").asText("");
        if (relative.isEmpty()) {
            throw new IllegalStateException(folder.resolve("index.json") + " has no model_dir");
        }
        Path model = folder.resolve(relative).normalize();
        if (!Files.isDirectory(model)) {
            throw new IllegalStateException(folder.resolve("index.json") + ": model_dir " + relative + " is no folder ("
                    + model + ")");
        }
        return model;
    }

    public ModelVariant model() {
        return new ModelVariant(modelDir());
    }

    public Architecture architecture() {
        return Architecture.of(modelDir());
    }

    /** A file of this variant, e.g. {@code train.safetensors}. */
    public Path file(String name) {
        return folder.resolve(name);
    }

    /** A JSON file of this variant, parsed, e.g. {@code embeddings.json}. */
    public JsonNode json(String name) {
        return Json.read(folder.resolve(name));
    }

    /** The section {@code name} of {@code index.json}'s {@code sections}. */
    public JsonNode section(String name) {
        return index.path("sections").path(name);
    }

    /** Whether {@code index.json} describes a section {@code name} (e.g. {@code conditioning}, {@code text_encoder_2}). */
    public boolean has(String name) {
        return index.path("sections").has(name);
    }

    /**
     * The tolerance {@code index.json}'s {@code sections.tolerances.recommended} gives for the first entry whose
     * name contains {@code fragment} ("atol 5e-5, rtol 1e-4" gives {5e-5, 1e-4}), else {@code {atol, rtol}}: the
     * fixtures README's general recommendation, for variants whose index has no such entry.
     */
    public double[] tolerance(String fragment, double atol, double rtol) {
        for (var entries = section("tolerances").path("recommended").fields(); entries.hasNext(); ) {
            var entry = entries.next();
            if (entry.getKey().contains(fragment)) {
                double[] found = {0, 0};
                Matcher given = TOLERANCE.matcher(entry.getValue().asText());
                while (given.find()) {
                    found[given.group(1).equals("atol") ? 0 : 1] = Double.parseDouble(given.group(2));
                }
                return found;
            }
        }
        return new double[] {atol, rtol};
    }

    private static final Pattern TOLERANCE = Pattern.compile("(atol|rtol) ([0-9.eE+-]+)");

    /** Aborts the running test, saying why, unless the product supports this variant's architecture. */
    public void assumeSupported() {
        architecture().assumeSupported(name());
    }

    /**
     * The dynamic tests of this variant in a container named after it; for an architecture the product does not
     * handle yet, a single test that reports the variant skipped and why.
     */
    public DynamicNode tests(Function<GoldenVariant, Stream<? extends DynamicNode>> tests) {
        if (!architecture().supported()) {
            return DynamicTest.dynamicTest(architecture().notSupported(name()), this::assumeSupported);
        }
        return DynamicContainer.dynamicContainer(name(), tests.apply(this));
    }

    /** The dynamic tests of this variant whatever its architecture, for a test that handles SD 1.x/2.x and SDXL alike. */
    public DynamicNode testsOfAnyArchitecture(Function<GoldenVariant, Stream<? extends DynamicNode>> tests) {
        return DynamicContainer.dynamicContainer(name(), tests.apply(this));
    }

    @Override
    public String toString() {
        return name();
    }
}

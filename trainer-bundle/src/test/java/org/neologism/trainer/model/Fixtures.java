package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * Golden variants by folder name and their recommended tolerances, for the SDXL parity tests; the fixtures are
 * found by test-support's locator.
 */
final class Fixtures {

    private Fixtures() {}

    static Path root() {
        return org.neologism.testsupport.Fixtures.root();
    }

    /** Every variant folder under golden/ (never a hard-coded list). */
    static List<String> variants() {
        try (Stream<Path> folders = Files.list(root().resolve("golden"))) {
            List<String> names = folders.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(!names.isEmpty(), "no variants under " + root().resolve("golden"));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The tolerance a variant's {@code index.json sections.tolerances.recommended} gives for the entry whose
     * name contains {@code fragment} ("atol 5e-5, rtol 1e-4" → {5e-5, 1e-4}), else {@code fallback} (the
     * fixtures README's general recommendation for the older variants, which have no such section).
     */
    static double[] tolerance(String variant, String fragment, double atol, double rtol) throws IOException {
        JsonNode recommended = new ObjectMapper().readTree(root().resolve("golden").resolve(variant)
                .resolve("index.json").toFile()).path("sections").path("tolerances").path("recommended");
        for (var entries = recommended.fields(); entries.hasNext(); ) {
            var entry = entries.next();
            if (entry.getKey().contains(fragment)) {
                double[] found = {0, 0};
                Matcher m = Pattern.compile("(atol|rtol) ([0-9.eE+-]+)").matcher(entry.getValue().asText());
                while (m.find()) {
                    found[m.group(1).equals("atol") ? 0 : 1] = Double.parseDouble(m.group(2));
                }
                return found;
            }
        }
        return new double[] {atol, rtol};
    }

    /** The variants whose {@code index.json} has {@code sections.<section>}. */
    static List<String> variantsWith(String section) throws IOException {
        List<String> with = new java.util.ArrayList<>();
        for (String variant : variants()) {
            JsonNode index = new ObjectMapper().readTree(root().resolve("golden").resolve(variant)
                    .resolve("index.json").toFile());
            if (index.path("sections").has(section)) {
                with.add(variant);
            }
        }
        return with;
    }

    /** The model folder {@code variant}'s references were computed from (its index.json's model_dir). */
    static Path model(String variant) {
        return org.neologism.testsupport.Fixtures.goldenVariants().stream().filter(v -> v.name().equals(variant))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no golden variant " + variant)).modelDir();
    }

    /** A golden fixture file of {@code variant}, opened with core's reader; the caller closes it. */
    static SafetensorsFile golden(String variant, String file) throws IOException {
        return SafetensorsFile.open(root().resolve("golden").resolve(variant).resolve(file));
    }
}

package org.neologism.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the parity fixtures are, and which variants they hold. The folder is {@code -Dneologism.fixtures}
 * (the build sets it to the repository's {@code testdata/}); outside Maven it is the {@code testdata/}
 * of the checkout the tests run in. Variants are found by listing and by the index files, never by name,
 * so the tests hold on any fixture set of the same layout.
 */
public final class Fixtures {

    /** The system property naming the fixtures folder. */
    public static final String PROPERTY = "neologism.fixtures";

    private Fixtures() {}

    /** The fixtures folder; fails with one message naming the folder and the property when it holds no fixtures. */
    public static Path root() {
        Path root = configured();
        if (!Files.isDirectory(root.resolve("golden")) || !Files.isDirectory(root.resolve("models"))) {
            throw new IllegalStateException("No parity fixtures in " + root + " (it has no golden/ and models/ folders):"
                    + " run the tests with -D" + PROPERTY + "=<folder holding golden/, models/, single-file/>;"
                    + " the default is the repository's testdata/.");
        }
        return root;
    }

    private static Path configured() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        // Outside Maven (an IDE runs a module's tests in the module folder): the checkout's testdata/.
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            if (Files.isDirectory(folder.resolve("testdata").resolve("golden"))) {
                return folder.resolve("testdata");
            }
        }
        return Path.of("testdata").toAbsolutePath();
    }

    /** Every variant under {@code golden/} (a folder with an {@code index.json}), sorted by folder name. */
    public static List<GoldenVariant> goldenVariants() {
        List<GoldenVariant> variants = new ArrayList<>();
        for (Path folder : folders(root().resolve("golden"))) {
            if (Files.isRegularFile(folder.resolve("index.json"))) {
                variants.add(new GoldenVariant(folder, Json.read(folder.resolve("index.json"))));
            }
        }
        if (variants.isEmpty()) {
            throw new IllegalStateException("No variant (folder with an index.json) under " + root().resolve("golden"));
        }
        return variants;
    }

    /** The golden variants whose {@code index.json} describes section {@code name}, whatever their architecture. */
    public static List<GoldenVariant> goldenVariantsWith(String name) {
        return goldenVariants().stream().filter(variant -> variant.has(name)).toList();
    }

    /**
     * The golden variants of an architecture the product supports; for every other one, prints that it is
     * skipped and why (for tests that loop over variants inside one test method).
     */
    public static List<GoldenVariant> supportedGoldenVariants() {
        List<GoldenVariant> supported = new ArrayList<>();
        for (GoldenVariant variant : goldenVariants()) {
            if (variant.architecture().supported()) {
                supported.add(variant);
            } else {
                System.out.println("Skipped " + variant.architecture().notSupported(variant.name()));
            }
        }
        if (supported.isEmpty()) {
            throw new IllegalStateException("No variant under " + root().resolve("golden")
                    + " has an architecture the product supports (" + Architecture.SUPPORTED + ")");
        }
        return supported;
    }

    /** Every diffusers model folder under {@code models/} (one with a {@code model_index.json}). */
    public static List<ModelVariant> modelVariants() {
        List<ModelVariant> models = new ArrayList<>();
        for (Path folder : folders(root().resolve("models"))) {
            if (Files.isRegularFile(folder.resolve("model_index.json"))) {
                models.add(new ModelVariant(folder));
            }
        }
        if (models.isEmpty()) {
            throw new IllegalStateException("No model folder (with a model_index.json) under " + root().resolve("models"));
        }
        return models;
    }

    /** The first model folder of an architecture the product supports: for tests that need some real model. */
    public static ModelVariant anySupportedModel() {
        return modelVariants().stream().filter(model -> model.architecture().supported()).findFirst()
                .orElseThrow(() -> new IllegalStateException("No model under " + root().resolve("models")
                        + " has an architecture the product supports (" + Architecture.SUPPORTED + ")"));
    }

    /** The first golden variant of an architecture the product supports. */
    public static GoldenVariant anySupportedGoldenVariant() {
        return goldenVariants().stream().filter(variant -> variant.architecture().supported()).findFirst()
                .orElseThrow(() -> new IllegalStateException("No variant under " + root().resolve("golden")
                        + " has an architecture the product supports (" + Architecture.SUPPORTED + ")"));
    }

    /** Every single-file variant {@code single-file/index.json} lists, with its folder from the index's {@code dir}. */
    public static List<SingleFileVariant> singleFileVariants() {
        Path index = root().resolve("single-file").resolve("index.json");
        JsonNode variants = Json.read(index).path("variants");
        List<SingleFileVariant> found = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) variants::fields) {
            Path folder = root().resolve(entry.getValue().path("dir").asText()).normalize();
            found.add(new SingleFileVariant(entry.getKey(), folder, entry.getValue()));
        }
        if (found.isEmpty()) {
            throw new IllegalStateException(index + " lists no variants");
        }
        return found;
    }

    /** The sub-folders of {@code folder}, sorted by name. */
    static List<Path> folders(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the fixtures folder " + folder, e);
        }
    }

    /** The regular files directly in {@code folder}, sorted by name. */
    public static List<Path> filesIn(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the fixtures folder " + folder, e);
        }
    }
}

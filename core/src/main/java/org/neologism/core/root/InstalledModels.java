package org.neologism.core.root;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The base models of a root folder: the entries of InvokeAI's {@code configs/models.yaml} (name →
 * {@code {format, path, description}}, InvokeAI 2.3's {@code format: ckpt} entries with {@code weights:} and
 * {@code config:}; relative paths are under the root, or under {@code models/} as InvokeAI 3 writes them), then
 * the diffusers folders and loose single-file checkpoints ({@code .safetensors}, {@code .ckpt}) under
 * {@code models/} that models.yaml does not list.
 */
public final class InstalledModels {

    private final List<InstalledModel> models;

    private InstalledModels(List<InstalledModel> models) {
        this.models = List.copyOf(models);
    }

    /**
     * Reads the root's model list.
     *
     * @throws IllegalArgumentException when models.yaml exists but is not valid YAML, naming the file
     */
    public static InstalledModels of(RootFolder root) {
        List<InstalledModel> models = new ArrayList<>(fromYaml(root));
        for (Path folder : diffusersFolders(root.models())) {
            boolean listed = models.stream().anyMatch(model -> folder.equals(model.path()));
            boolean nameTaken = models.stream().anyMatch(model -> model.name().equals(folder.getFileName().toString()));
            if (!listed && !nameTaken) {
                models.add(new InstalledModel(folder.getFileName().toString(), InstalledModel.DIFFUSERS, folder, "",
                        root.models()));
            }
        }
        for (Path file : checkpointFiles(root.models())) {
            boolean listed = models.stream().anyMatch(model -> file.equals(model.path()));
            String stem = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            String relative = root.models().relativize(file).toString().replaceFirst("\\.[^.]+$", "");
            boolean stemTaken = models.stream().anyMatch(model -> model.name().equals(stem));
            if (!listed) {
                String format = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".ckpt")
                        ? "ckpt" : "safetensors";
                models.add(new InstalledModel(stemTaken ? relative : stem, format, file, "", root.models(),
                        sidecarYaml(file)));
            }
        }
        return new InstalledModels(models);
    }

    /** A1111 and InvokeAI 2.3 take {@code <stem>.yaml} beside the weights as their LDM config. */
    private static Path sidecarYaml(Path weights) {
        Path yaml = weights.resolveSibling(weights.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".yaml");
        return Files.isRegularFile(yaml) ? yaml : null;
    }

    /** Checkpoint files under {@code models/}, not inside a diffusers folder (whose components are safetensors too). */
    private static List<Path> checkpointFiles(Path models) {
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(models, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), 4,
                    new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                                java.nio.file.attribute.BasicFileAttributes attributes) {
                            return Files.isRegularFile(dir.resolve("model_index.json"))
                                    ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path file,
                                java.nio.file.attribute.BasicFileAttributes attributes) {
                            if (attributes.isRegularFile() && CheckpointFamily.isCheckpointFile(file)) {
                                found.add(file);
                            }
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + models, e);
        }
        found.sort(null);
        return found;
    }

    public List<InstalledModel> all() {
        return models;
    }

    /** The diffusers models that exist on disk: what a form offers. */
    public List<InstalledModel> trainable() {
        return models.stream().filter(InstalledModel::isTrainable).toList();
    }

    public Optional<InstalledModel> find(String name) {
        return models.stream().filter(model -> model.name().equals(name)).findFirst();
    }

    static List<InstalledModel> fromYaml(RootFolder root) {
        Path file = root.modelsYaml();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        JsonNode document;
        try {
            document = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + " is not valid YAML (" + e.getOriginalMessage()
                    + "); fix it or move it away to use only the folders under " + root.models());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        List<InstalledModel> models = new ArrayList<>();
        if (document == null || !document.isObject()) {
            return models;
        }
        for (Iterator<Map.Entry<String, JsonNode>> entries = document.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            JsonNode value = entry.getValue();
            // InvokeAI 3 keeps a __metadata__ block beside the models.
            if (entry.getKey().startsWith("__") || !value.isObject()) {
                continue;
            }
            String format = value.path("format").asText(InstalledModel.DIFFUSERS);
            // InvokeAI 2.3 names a ckpt entry's file weights:, its LDM YAML config:.
            String path = value.path("path").asText(value.path("weights").asText(""));
            String config = value.path("config").asText("");
            models.add(new InstalledModel(entry.getKey(), format, path.isBlank() ? null : resolve(root, path),
                    value.path("description").asText(""), file, config.isBlank() ? null : resolve(root, config)));
        }
        return models;
    }

    private static Path resolve(RootFolder root, String path) {
        Path given = Path.of(path);
        if (given.isAbsolute()) {
            return given;
        }
        Path underRoot = root.path().resolve(given).normalize();
        Path underModels = root.models().resolve(given).normalize();
        return Files.exists(underRoot) || !Files.exists(underModels) ? underRoot : underModels;
    }

    private static List<Path> diffusersFolders(Path models) {
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(models)) {
            return children.filter(child -> Files.isRegularFile(child.resolve("model_index.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + models, e);
        }
    }
}

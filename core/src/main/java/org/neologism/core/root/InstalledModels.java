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
 * {@code {format, path, description}}; relative paths are under the root, or under {@code models/} as
 * InvokeAI 3 writes them), then the diffusers folders under {@code models/} that models.yaml does not list.
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
        return new InstalledModels(models);
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
            String path = value.path("path").asText("");
            models.add(new InstalledModel(entry.getKey(), format, path.isBlank() ? null : resolve(root, path),
                    value.path("description").asText(""), file));
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

package org.neologism.core.root;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Where Neologism keeps its files: {@code --root} (the framework or system property
 * {@code neologism.root}), else the environment variable {@code NEOLOGISM_ROOT}, else an existing
 * InvokeAI root named by {@code INVOKEAI_ROOT} (its layout is shared), else {@code ~/neologism}.
 *
 * @param path the root folder
 */
public record RootFolder(Path path) {

    public static final String PROPERTY = "neologism.root";

    /**
     * Resolves the root.
     *
     * @param properties  framework properties (which fall back to system properties in OSGi)
     * @param environment the process environment
     * @param home        the user's home folder
     */
    public static RootFolder resolve(UnaryOperator<String> properties, Map<String, String> environment, Path home) {
        String property = properties.apply(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new RootFolder(Path.of(property));
        }
        String neologism = environment.get("NEOLOGISM_ROOT");
        if (neologism != null && !neologism.isBlank()) {
            return new RootFolder(Path.of(neologism));
        }
        String invokeai = environment.get("INVOKEAI_ROOT");
        if (invokeai != null && !invokeai.isBlank() && Files.isDirectory(Path.of(invokeai))) {
            return new RootFolder(Path.of(invokeai));
        }
        return new RootFolder(home.resolve("neologism"));
    }

    /** The root of this process: system properties, the environment and the user's home. */
    public static RootFolder ofProcess() {
        return resolve(System::getProperty, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Where installed embeddings live, and where InvokeAI scans for them. */
    public Path embeddings() {
        return path.resolve("embeddings");
    }

    /** {@code --train_data_dir}'s default for a trigger. */
    public Path trainingData(String trigger) {
        return path.resolve("text-inversion-training-data").resolve(folderName(trigger));
    }

    /** {@code --output_dir}'s default for a trigger. */
    public Path trainingOutput(String trigger) {
        return path.resolve("text-inversion-output").resolve(folderName(trigger));
    }

    /** Diffusers model folders the user installed. */
    public Path models() {
        return path.resolve("models");
    }

    /** InvokeAI's model list, {@code configs/models.yaml}. */
    public Path modelsYaml() {
        return path.resolve("configs").resolve("models.yaml");
    }

    /** Creates the layout InvokeAI's guide describes, where it is missing. */
    public RootFolder createLayout() throws IOException {
        for (Path folder : List.of(embeddings(), path.resolve("text-inversion-training-data"),
                path.resolve("text-inversion-output"), path.resolve("configs"), models())) {
            Files.createDirectories(folder);
        }
        return this;
    }

    /**
     * A trigger as a folder name, as InvokeAI derives it ({@code trigger.strip("<>")}): the training
     * data, output and embeddings folders of {@code <cat-toy>} are all called {@code cat-toy}.
     *
     * @throws IllegalArgumentException when nothing usable is left, naming the trigger
     */
    public static String folderName(String trigger) {
        String name = trigger.strip();
        int start = 0;
        int end = name.length();
        while (start < end && (name.charAt(start) == '<' || name.charAt(start) == '>')) {
            start++;
        }
        while (end > start && (name.charAt(end - 1) == '<' || name.charAt(end - 1) == '>')) {
            end--;
        }
        String folder = name.substring(start, end);
        if (folder.isEmpty() || folder.startsWith(".") || folder.chars().anyMatch(c -> c == '/' || c == '\\'
                || c == 0 || c == ':' || Character.isISOControl(c))) {
            throw new IllegalArgumentException("The trigger '" + trigger + "' cannot name a folder (it is empty,"
                    + " starts with a dot, or holds / \\ : or control characters); choose another trigger, e.g. <my-concept>"
                    + " (--placeholder_token when training, --trigger when importing)");
        }
        return folder;
    }
}

package org.neologism.concepts.library;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Where Neologism keeps its files: the framework or system property {@code neologism.root}, else the
 * environment variable {@code NEOLOGISM_ROOT}, else an existing InvokeAI root named by
 * {@code INVOKEAI_ROOT} (its layout is shared), else {@code ~/neologism}.
 *
 * @param path the root folder
 */
public record RootFolder(Path path) {

    public static final String PROPERTY = "neologism.root";

    /**
     * Resolves the root.
     *
     * @param properties framework properties (which fall back to system properties in OSGi)
     * @param environment the process environment
     * @param home the user's home folder
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

    /** Where installed embeddings live, and where InvokeAI scans for them. */
    public Path embeddings() {
        return path.resolve("embeddings");
    }
}

package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared parity fixtures, located through the {@code neologism.fixtures} system property. */
final class Fixtures {

    private Fixtures() {
    }

    static Path root() {
        String property = System.getProperty("neologism.fixtures");
        assertNotNull(property, "surefire must pass -Dneologism.fixtures");
        return Path.of(property);
    }

    /** Every variant folder under golden/, e.g. tiny-sd1 and tiny-sd2. */
    static List<Path> goldenVariants() throws IOException {
        try (Stream<Path> folders = Files.list(root().resolve("golden"))) {
            List<Path> variants = folders.filter(Files::isDirectory).sorted().toList();
            assertFalse(variants.isEmpty(), "no variants under " + root().resolve("golden"));
            return variants;
        }
    }

    /** Every variant folder under models/. */
    static List<Path> modelVariants() throws IOException {
        try (Stream<Path> folders = Files.list(root().resolve("models"))) {
            List<Path> variants = folders.filter(Files::isDirectory).sorted().toList();
            assertFalse(variants.isEmpty(), "no variants under " + root().resolve("models"));
            return variants;
        }
    }

    static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}

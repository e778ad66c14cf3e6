package org.neologism.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Karaf 4.4: the KAR added, {@code feature:install neologism}, then {@code ti:info}, the Metatype
 * of the configuration, and a short training on a generated tiny model in Karaf's own shell. Nothing is configured for Neologism by hand:
 * libtorch comes from the natives bundle, and Maven resolution is cut off from every repository but
 * Karaf's own and the KAR's, so the feature proves it carries everything it needs.
 */
class KarafFeatureIT {

    private static final Path KARAF = Path.of(System.getProperty("neologism.karaf", "target/karaf/apache-karaf-4.4.10"));
    private static final Path KAR = Path.of(System.getProperty("neologism.kar", "target/neologism.kar"));

    @TempDir
    Path work;

    @Test
    void theFeatureInstallsInKarafAndTrainsAnEmbedding() throws Exception {
        Path karaf = copy(KARAF, work.resolve("karaf"));
        Path home = Files.createDirectories(work.resolve("home"));
        offlineMavenResolution(karaf, Files.createDirectories(work.resolve("empty-local-repository")));
        Path root = work.resolve("root");

        try (KarafConsole console = KarafConsole.start(karaf, home)) {
            console.awaitPrompt(Duration.ofMinutes(3));
            console.runWhenRegistered("kar:install " + KAR.toUri(), Duration.ofMinutes(2));
            console.runWhenRegistered("feature:install neologism", Duration.ofMinutes(3));

            // Declarative Services is Karaf's own scr feature (its scr: commands come with it), not a bundle of ours.
            String features = console.run("feature:list -i", Duration.ofMinutes(1));
            assertTrue(features.lines().anyMatch(line -> line.startsWith("scr ")), features);
            String components = console.runWhenRegistered("scr:list", Duration.ofMinutes(1));
            assertTrue(components.contains("org.neologism"), components);

            String info = console.runWhenRegistered("ti:info", Duration.ofMinutes(3));
            assertTrue(info.contains("libtorch    2.7.1"), info);
            assertTrue(info.contains("cosine"), info);
            assertTrue(info.contains("learned_embeds_bin"), info);

            // The configuration a host sees: ConfigAdmin's PID org.neologism, described by Metatype.
            String meta = console.run("config:meta org.neologism", Duration.ofMinutes(1));
            assertTrue(meta.contains("root") && meta.contains("device") && meta.contains("cpu.threads"), meta);
            String demo = console.run("ti:demo --root " + root + " --steps 3", Duration.ofMinutes(5));
            assertTrue(demo.contains("Done.") && demo.contains(root.resolve("embeddings").toString()), demo);
            String embeddings = console.run("ti:embeddings --root " + root, Duration.ofMinutes(1));
            assertTrue(embeddings.contains("<neologism-toy>"), embeddings);
            String elsewhere = console.run("ti:embeddings --root " + work.resolve("other-root"), Duration.ofMinutes(1));
            assertTrue(elsewhere.contains("No embeddings installed"), elsewhere);
        }

        List<Path> installed = find(root.resolve("embeddings"), "learned_embeds.bin");
        assertEquals(1, installed.size(), "installed embeddings: " + installed);
        assertTrue(Files.size(installed.get(0)) > 0, installed.get(0) + " is empty");

        List<Path> libtorch = find(karaf.resolve("data"), "libtorch.so");
        assertEquals(1, libtorch.size(), "copies of libtorch.so in Karaf's data folder: " + libtorch);
        assertTrue(libtorch.get(0).getParent().getFileName().toString().startsWith("native-"), libtorch.get(0).toString());
        assertEquals(List.of(), find(home, "libtorch.so"), "libtorch unpacked into the home folder");
        assertEquals(List.of(), find(home, "libjnidispatch.so"), "JNA unpacked into the home folder");
    }

    /**
     * Test setup, not product configuration: no remote repository and an empty local one, so that a
     * bundle missing from the KAR fails the install instead of coming from the network or ~/.m2.
     */
    private static void offlineMavenResolution(Path karaf, Path emptyLocal) throws IOException {
        Path config = karaf.resolve("etc/org.ops4j.pax.url.mvn.cfg");
        // The key's value runs over continuation lines ending in a backslash.
        String withoutRemotes = Files.readString(config)
                .replaceAll("(?m)^org\\.ops4j\\.pax\\.url\\.mvn\\.repositories\\s*=(?:.*\\\\\\n)*.*\\n", "");
        Files.writeString(config, withoutRemotes + "\norg.ops4j.pax.url.mvn.repositories=\n"
                + "org.ops4j.pax.url.mvn.localRepository=" + emptyLocal + "\n");
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    private static List<Path> find(Path folder, String name) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(file -> file.getFileName().toString().equals(name)).toList();
        }
    }
}

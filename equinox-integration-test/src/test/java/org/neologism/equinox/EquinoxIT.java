package org.neologism.equinox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Our bundles in Eclipse Equinox with Felix SCR, ConfigAdmin and Gogo, installed from their jars as any
 * host installs them: they resolve, activate, find libtorch in the natives bundle and train.
 */
class EquinoxIT {

    private static final Path BUNDLES = Path.of(System.getProperty("neologism.bundles", "target/bundles"));
    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @TempDir
    static Path work;

    private static Framework equinox;
    private static Path storage;

    @BeforeAll
    static void startEquinox() throws Exception {
        storage = work.resolve("storage");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("gosh.args", "--nointeractive");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
        equinox = factory.newFramework(config);
        equinox.start();
        BundleContext context = equinox.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        try (Stream<Path> jars = Files.list(BUNDLES)) {
            for (Path jar : jars.filter(path -> path.toString().endsWith(".jar")).sorted().toList()) {
                installed.add(context.installBundle(jar.toUri().toString()));
            }
        }
        for (Bundle bundle : installed) {
            bundle.start();
        }
    }

    @AfterAll
    static void stopEquinox() throws Exception {
        equinox.stop();
        equinox.waitForStop(60_000);
    }

    @Test
    void theFrameworkIsEquinox() {
        assertEquals("org.eclipse.osgi", equinox.getSymbolicName());
    }

    @Test
    void everyBundleResolvesAndStarts() {
        for (Bundle bundle : equinox.getBundleContext().getBundles()) {
            assertEquals(Bundle.ACTIVE, bundle.getState(), bundle.getSymbolicName() + " is not active");
        }
    }

    @Test
    void infoNamesTheEngineAndEveryRegisteredService() throws Exception {
        GogoCommands.Output info = new GogoCommands(equinox.getBundleContext()).run("ti:info");
        assertNull(info.failure(), info.out());
        assertTrue(info.out().contains("libtorch    2.7.1"), info.out());
        assertTrue(info.out().contains("cosine"), info.out());
        assertTrue(info.out().contains("learned_embeds_bin"), info.out());
    }

    @Test
    void aShortRunOnAGeneratedModelTrainsAndInstallsItsEmbedding() throws Exception {
        Path root = work.resolve("root");
        GogoCommands.Output demo = new GogoCommands(equinox.getBundleContext()).run("ti:demo --root " + root + " --steps 3");
        assertNull(demo.failure(), demo.out());
        List<Path> installed;
        try (Stream<Path> files = Files.walk(root.resolve("embeddings"))) {
            installed = files.filter(file -> file.getFileName().toString().equals("learned_embeds.bin")).toList();
        }
        assertEquals(1, installed.size(), "installed embeddings: " + installed);
        assertTrue(Files.size(installed.get(0)) > 0, installed.get(0) + " is empty");
    }

    @Test
    void libtorchIsUnpackedIntoTheNativesBundleDataAreaAndNothingIntoTheHome() throws Exception {
        assertNull(new GogoCommands(equinox.getBundleContext()).run("ti:tensor-check").failure());
        List<Path> libtorch;
        try (Stream<Path> files = Files.walk(storage)) {
            libtorch = files.filter(file -> file.getFileName().toString().equals("libtorch.so")).toList();
        }
        assertEquals(1, libtorch.size(), "copies of libtorch.so in the framework storage: " + libtorch);
        assertTrue(libtorch.get(0).getParent().getFileName().toString().startsWith("native-"), libtorch.get(0).toString());
        // (The JDK itself keeps a font cache in ~/.java when the loss plot is drawn: not ours to avoid.)
        if (Files.exists(HOME)) {
            try (Stream<Path> files = Files.walk(HOME)) {
                assertEquals(List.of(), files.filter(file -> file.getFileName().toString().contains(".so")
                        || file.getFileName().toString().equals(".djl.ai")).toList(), "natives written into the home folder");
            }
        }
    }
}

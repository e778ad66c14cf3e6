package org.neologism.launcher;

import org.neologism.core.launch.Causes;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Felix with every bundle of a folder installed and started. The Gogo shell bundle starts last, so
 * every command is registered before the shell reads its first line.
 */
final class EmbeddedFramework implements AutoCloseable {

    static final String SHELL_BUNDLE = "org.apache.felix.gogo.shell";
    /** Gogo's JLine shell: line editing, history and completion, for the interactive prompt. */
    static final String JLINE_SHELL_BUNDLE = "org.apache.felix.gogo.jline";
    private static final String JLINE_BUNDLE = "org.jline";
    /** Each reads the terminal once started, so only the one a run needs is started. */
    private static final java.util.Set<String> SHELL_IMPLEMENTATIONS = java.util.Set.of(SHELL_BUNDLE, JLINE_SHELL_BUNDLE);
    /** The API package the launcher calls the bundles through, at the version of its package-info.java. */
    static final String SHARED_PACKAGES = "org.neologism.core.launch;version=\"1.1.0\"";

    private final Framework framework;
    private final Path storage;

    private EmbeddedFramework(Framework framework, Path storage) {
        this.framework = framework;
        this.storage = storage;
    }

    /**
     * Starts the framework with the bundles of {@code bundleDir} and Gogo's plain shell.
     *
     * @param properties framework properties (the launcher's {@code -D} options among them)
     * @param console    where framework errors are reported, with their causes
     */
    static EmbeddedFramework start(Path bundleDir, Map<String, String> properties, PrintStream console)
            throws IOException, BundleException {
        return start(List.of(bundleDir), SHELL_BUNDLE, properties, console);
    }

    /**
     * Starts the framework with the bundles of every folder of {@code bundleDirs}; of the Gogo shell
     * implementations among them only {@code shellBundle} starts, and it starts last.
     */
    static EmbeddedFramework start(List<Path> bundleDirs, String shellBundle, Map<String, String> properties,
                                   PrintStream console) throws IOException, BundleException {
        Path storage = Files.createTempDirectory("neologism-felix-");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // SCR reports a component that fails to activate, with its stack trace, on the console.
        config.put("ds.loglevel", "error");
        // The launcher and the bundles share CommandLineTool: the framework exports its package from this class path.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SHARED_PACKAGES);
        config.putAll(properties);

        Framework framework = frameworkFactory().newFramework(config);
        framework.init();
        framework.getBundleContext().addFrameworkListener(event -> reportProblem(event, console));

        List<Bundle> bundles = new ArrayList<>();
        Bundle shell = null;
        for (Path bundleDir : bundleDirs) {
            for (Path jar : bundleJars(bundleDir)) {
                // reference: installs in place, without copying each jar into the cache.
                Bundle bundle = framework.getBundleContext().installBundle("reference:" + jar.toUri());
                if (shellBundle.equals(bundle.getSymbolicName())) {
                    shell = bundle;
                } else if (!SHELL_IMPLEMENTATIONS.contains(bundle.getSymbolicName())) {
                    bundles.add(bundle);
                }
            }
        }
        framework.start();
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                startReportingFailure(bundle, console);
            }
        }
        if (shell != null) {
            // JLine finds its terminal providers (the raw mode, the key bindings) through the thread
            // context class loader, and Gogo's JLine shell builds its terminal while it starts: on
            // this thread. Without JLine's loader there, the shell gets a dumb terminal.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            ClassLoader jline = classLoaderOf(framework, JLINE_BUNDLE);
            if (jline != null) {
                thread.setContextClassLoader(jline);
            }
            try {
                startReportingFailure(shell, console);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
        return new EmbeddedFramework(framework, storage);
    }

    private static ClassLoader classLoaderOf(Framework framework, String symbolicName) {
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                BundleWiring wiring = bundle.adapt(BundleWiring.class);
                return wiring == null ? null : wiring.getClassLoader();
            }
        }
        return null;
    }

    Framework framework() {
        return framework;
    }

    /** Blocks until the framework stops, e.g. when the interactive shell exits. */
    void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    @Override
    public void close() throws Exception {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } finally {
            deleteRecursively(storage);
        }
    }

    private static FrameworkFactory frameworkFactory() {
        return java.util.ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("No OSGi framework on the class path: lib/ must hold Felix"));
    }

    private static List<Path> bundleJars(Path bundleDir) throws IOException {
        if (!Files.isDirectory(bundleDir)) {
            throw new IOException("Bundle folder " + bundleDir + " does not exist: rebuild the distribution with mvn package");
        }
        try (Stream<Path> files = Files.list(bundleDir)) {
            // An unpacked bundle (a folder with a manifest) is installed in place: the natives bundle is
            // shipped that way, so its 450 MB of libraries are loaded where they lie, never copied.
            return files.filter(file -> file.toString().endsWith(".jar")
                    || Files.isRegularFile(file.resolve("META-INF/MANIFEST.MF"))).sorted().toList();
        }
    }

    private static void startReportingFailure(Bundle bundle, PrintStream console) {
        try {
            bundle.start();
        } catch (BundleException e) {
            console.println("ERROR: bundle " + bundle.getSymbolicName() + " did not start: " + Causes.describe(e));
        }
    }

    private static void reportProblem(FrameworkEvent event, PrintStream console) {
        if (event.getType() == FrameworkEvent.ERROR) {
            String source = event.getBundle() == null ? "framework" : event.getBundle().getSymbolicName();
            console.println("ERROR in " + source + ": " + Causes.describe(event.getThrowable()));
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

package org.neologism.schedules.integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A real Felix with SCR and Gogo, started in the test JVM with the bundles Maven copied to
 * {@code framework.bundles}. Bundles see nothing of the test class path (Felix delegates only
 * {@code java.*} to the parent).
 */
final class RunningFramework implements AutoCloseable {

    private final Framework framework;
    private final List<String> errors = new ArrayList<>();

    private RunningFramework(Framework framework) {
        this.framework = framework;
    }

    static RunningFramework start(Path storage) throws BundleException, IOException {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("Felix is not on the test class path"));
        Framework framework = factory.newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                "ds.loglevel", "warn",
                // Gogo's runtime would otherwise start a thread reading System.in for its own use.
                "gosh.args", "--nointeractive"));
        framework.init();
        RunningFramework running = new RunningFramework(framework);
        framework.getBundleContext().addFrameworkListener(event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                synchronized (running.errors) {
                    running.errors.add(event.getBundle().getSymbolicName() + ": " + event.getThrowable());
                }
            }
        });
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars(bundleFolder("framework.bundles"))) {
            installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
        }
        framework.start();
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
        }
        return running;
    }

    static Path bundleFolder(String property) {
        String folder = System.getProperty(property);
        if (folder == null) {
            throw new IllegalStateException("System property " + property + " is not set: run the tests with Maven (mvn verify)");
        }
        return Path.of(folder);
    }

    /** The jar Maven copied for {@code artifactId}, e.g. {@code org.neologism.schedulers}. */
    static Path jar(String property, String artifactId) {
        Path jar = bundleFolder(property).resolve(artifactId + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests with mvn verify so the bundles are packaged");
        }
        return jar;
    }

    Bundle install(Path jar) throws BundleException {
        Bundle bundle = framework.getBundleContext().installBundle(jar.toUri().toString());
        bundle.start();
        return bundle;
    }

    Bundle bundle(String symbolicName) {
        return Arrays.stream(framework.getBundleContext().getBundles())
                .filter(bundle -> symbolicName.equals(bundle.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No bundle " + symbolicName + " is installed"));
    }

    /** The context of an installed, started bundle: lookups then see the classes that bundle is wired to. */
    BundleContext contextOf(String symbolicName) {
        BundleContext context = bundle(symbolicName).getBundleContext();
        if (context == null) {
            throw new IllegalStateException("Bundle " + symbolicName + " is not started");
        }
        return context;
    }

    /** Framework errors reported so far (e.g. a component that failed to activate). */
    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }

    private static List<Path> jars(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(folder + " cannot be listed: run mvn verify", e);
        }
    }
}

package org.neologism.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.neologism.core.launch.Causes;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A plain Felix started from a test with the distribution's bundles (framework, SCR, ConfigAdmin,
 * Gogo, Jackson and ours) installed and started; the launcher plays no part.
 */
final class PlainFelix implements AutoCloseable {

    static final Path BUNDLES = Distribution.HOME.resolve("bundle");

    /** What one Gogo command printed, and whether it failed. */
    record Output(int exitCode, String out, String err) {}

    private final Framework framework;

    private PlainFelix(Framework framework) {
        this.framework = framework;
    }

    static PlainFelix start(Path storage) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("gosh.args", "--nointeractive");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(config);
        framework.start();
        BundleContext context = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        try (Stream<Path> jars = Files.list(BUNDLES)) {
            for (Path jar : jars.sorted().toList()) {
                if (jar.toString().endsWith(".jar")) {
                    installed.add(context.installBundle(jar.toUri().toString()));
                } else if (Files.isDirectory(jar)) {
                    // The natives bundle, unpacked: Felix installs a folder in place.
                    installed.add(context.installBundle("reference:" + jar.toUri()));
                }
            }
        }
        for (Bundle bundle : installed) {
            bundle.start();
        }
        return new PlainFelix(framework);
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    Bundle bundle(String symbolicName) {
        for (Bundle bundle : context().getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /**
     * Runs one Gogo command through the framework's command processor, as any client of a plain framework
     * would: this test's class path does not share Gogo's API with the framework, so it is called by name.
     */
    Output gogo(String command) throws ReflectiveOperationException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = 0;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            ServiceReference<?> reference = ComponentFailures.firstService(context(), PROCESSOR);
            Object processor = context().getService(reference);
            Class<?> processorType = reference.getBundle().loadClass(PROCESSOR);
            Class<?> sessionType = reference.getBundle().loadClass(SESSION);
            Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class,
                    OutputStream.class).invoke(processor, InputStream.nullInputStream(), outStream, errStream);
            try {
                Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, command);
                if (result != null) {
                    outStream.println(sessionType.getMethod("format", Object.class, int.class).invoke(session, result, 0));
                }
            } catch (InvocationTargetException e) {
                errStream.println("Error: " + command + ": " + Causes.describe(e.getCause()));
                exit = 1;
            } finally {
                sessionType.getMethod("close").invoke(session);
                context().ungetService(reference);
            }
        }
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(60_000);
    }

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}

package org.neologism.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code invokeai-ti}: starts Felix with the distribution's bundles and hands the raw arguments, as a list,
 * to the trainer bundle's invokeai-ti service. No shell parses them, so a trigger such as {@code <cat-toy>}
 * needs no more quoting than the user's own shell asks for. Exit codes: 0 done, 1 the run failed, 2 a
 * command line it cannot use.
 */
public final class InvokeAiTi {

    static final String SERVICE = "org.neologism.trainer.cli.InvokeAiTiCommand";
    private static final long SERVICE_WAIT_MILLIS = 60_000;

    private InvokeAiTi() {}

    public static void main(String[] args) throws Exception {
        // Gogo swaps System.out per thread: write to the file descriptors themselves.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        System.exit(run(List.of(args), out, err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        // The shell bundle must not read the terminal: the console form may need it.
        Map<String, String> properties = Map.of("gosh.args", "--nointeractive");
        try (EmbeddedFramework felix = EmbeddedFramework.start(bundleFolder(), properties, err)) {
            BundleContext context = felix.framework().getBundleContext();
            ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, SERVICE, null);
            tracker.open();
            try {
                Object command = tracker.waitForService(SERVICE_WAIT_MILLIS);
                if (command == null) {
                    err.println("invokeai-ti: error: the trainer bundle's invokeai-ti service did not start");
                    new ComponentFailures(context).report(err);
                    return 1;
                }
                Object exitCode = command.getClass().getMethod("run", List.class, PrintStream.class, PrintStream.class)
                        .invoke(command, args, out, err);
                return (Integer) exitCode;
            } catch (InvocationTargetException e) {
                err.println("invokeai-ti: error: " + Causes.describe(e.getCause()));
                return 1;
            } finally {
                tracker.close();
            }
        }
    }

    private static Path bundleFolder() {
        String home = System.getProperty("neologism.home");
        if (home == null) {
            throw new IllegalStateException("neologism.home is not set: start invokeai-ti with bin/invokeai-ti");
        }
        return Path.of(home, "bundle");
    }
}

package org.neologism.launcher;

import org.neologism.core.launch.Causes;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.neologism.core.launch.CommandLineTool;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code invokeai-ti}: starts Felix with the distribution's bundles and hands the raw arguments, as a list,
 * to the {@link CommandLineTool} named {@code invokeai-ti} (the front-end bundle's). No shell parses them, so a
 * trigger such as {@code <cat-toy>} needs no more quoting than the user's own shell asks for. The framework
 * exports {@code CommandLineTool}'s package from this class path, so the tool is called as plain Java. Exit
 * codes: 0 done, 1 the run failed, 2 a command line it cannot use.
 */
public final class InvokeAiTi {

    static final String TOOL = "invokeai-ti";
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
            ServiceTracker<CommandLineTool, CommandLineTool> tracker = new ServiceTracker<>(context, toolFilter(), null);
            tracker.open();
            try {
                CommandLineTool tool = tracker.waitForService(SERVICE_WAIT_MILLIS);
                if (tool == null) {
                    err.println("invokeai-ti: error: the front-end bundle's invokeai-ti service did not start");
                    new ComponentFailures(context).report(err);
                    return CommandLineTool.FAILED;
                }
                return tool.run(args, out, err);
            } catch (RuntimeException e) {
                err.println("invokeai-ti: error: " + Causes.describe(e));
                return CommandLineTool.FAILED;
            } finally {
                tracker.close();
            }
        }
    }

    private static org.osgi.framework.Filter toolFilter() throws InvalidSyntaxException {
        return FrameworkUtil.createFilter("(&(objectClass=" + CommandLineTool.class.getName() + ")("
                + CommandLineTool.NAME_PROPERTY + "=" + TOOL + "))");
    }

    private static Path bundleFolder() {
        String home = System.getProperty("neologism.home");
        if (home == null) {
            throw new IllegalStateException("neologism.home is not set: start invokeai-ti with bin/invokeai-ti");
        }
        return Path.of(home, "bundle");
    }
}

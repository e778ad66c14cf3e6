package org.neologism.launcher;

import java.io.PrintStream;
import java.util.List;
import org.neologism.core.launch.CommandLineTool;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Runs {@code --run} commands through the front-end bundle's {@link CommandLineTool} named {@value #TOOL}
 * (one Gogo session, stopping at the first command that fails). When a command fails, the components that
 * failed to activate are reported too: a broken component otherwise shows up only as "Command not found".
 */
final class CommandScript {

    static final String TOOL = "gogo-script";
    private static final long SERVICE_WAIT_MILLIS = 60_000;

    private final BundleContext context;
    private final PrintStream out;
    private final PrintStream err;

    CommandScript(BundleContext context, PrintStream out, PrintStream err) {
        this.context = context;
        this.out = out;
        this.err = err;
    }

    /** Returns the process exit code: 0 when every command succeeded, 1 at the first failure. */
    int run(List<String> commands) throws InterruptedException, InvalidSyntaxException {
        ServiceTracker<CommandLineTool, CommandLineTool> tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(
                "(&(objectClass=" + CommandLineTool.class.getName() + ")(" + CommandLineTool.NAME_PROPERTY + "=" + TOOL + "))"),
                null);
        tracker.open();
        try {
            CommandLineTool script = tracker.waitForService(SERVICE_WAIT_MILLIS);
            if (script == null) {
                err.println("Error: the front-end bundle's command runner did not start, so no command can run");
                new ComponentFailures(context).report(err);
                return CommandLineTool.FAILED;
            }
            int exit = script.run(commands, out, err);
            if (exit != 0) {
                new ComponentFailures(context).report(err);
            }
            return exit;
        } finally {
            tracker.close();
        }
    }
}

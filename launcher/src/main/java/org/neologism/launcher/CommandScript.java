package org.neologism.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands one after another through the framework's {@code CommandProcessor}, stopping at
 * the first that fails. The launcher lives outside the framework, so the Gogo API is reached through
 * the class loader of the bundle that provides it.
 */
final class CommandScript {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    /** {@code Converter.INSPECT}: format a result the way the interactive shell prints it. */
    private static final int INSPECT = 0;

    private final BundleContext context;
    private final PrintStream out;
    private final PrintStream err;

    CommandScript(BundleContext context, PrintStream out, PrintStream err) {
        this.context = context;
        this.out = out;
        this.err = err;
    }

    /** Returns the process exit code: 0 when every command succeeded, 1 at the first failure. */
    int run(List<String> commands, InputStream in) throws ReflectiveOperationException {
        ServiceReference<?> reference = ComponentFailures.firstService(context, PROCESSOR);
        if (reference == null) {
            err.println("Error: the Gogo runtime is not running, so no command can run");
            return 1;
        }
        Object processor = context.getService(reference);
        Class<?> processorType = reference.getBundle().loadClass(PROCESSOR);
        Class<?> sessionType = reference.getBundle().loadClass(SESSION);
        Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                .invoke(processor, in, out, err);
        Method execute = sessionType.getMethod("execute", CharSequence.class);
        Method format = sessionType.getMethod("format", Object.class, int.class);
        try {
            for (String command : commands) {
                try {
                    Object result = execute.invoke(session, command);
                    if (result != null) {
                        out.println(format.invoke(session, result, INSPECT));
                    }
                } catch (InvocationTargetException e) {
                    err.println("Error: " + command + ": " + Causes.describe(e.getCause()));
                    new ComponentFailures(context).report(err);
                    return 1;
                }
            }
            return 0;
        } finally {
            sessionType.getMethod("close").invoke(session);
            out.flush();
            context.ungetService(reference);
        }
    }
}

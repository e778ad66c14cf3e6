package org.neologism.equinox;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands through the framework's {@code CommandProcessor}. The test lives outside the
 * framework, so the Gogo API is reached through the class loader of the bundle that provides it.
 */
final class GogoCommands {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    /** What one command printed; {@code failure} is null when it succeeded. */
    record Output(String out, Throwable failure) {}

    private final BundleContext context;

    GogoCommands(BundleContext context) {
        this.context = context;
    }

    Output run(String command) throws ReflectiveOperationException, InvalidSyntaxException {
        // getAll...: the plain lookup refuses services whose API class the test's class path might hold.
        ServiceReference<?>[] references = context.getAllServiceReferences(PROCESSOR, null);
        if (references == null) {
            throw new AssertionError("the Gogo runtime is not running");
        }
        ServiceReference<?> reference = references[0];
        Object processor = context.getService(reference);
        Class<?> processorType = reference.getBundle().loadClass(PROCESSOR);
        Class<?> sessionType = reference.getBundle().loadClass(SESSION);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                    .invoke(processor, InputStream.nullInputStream(), out, out);
            Throwable failure = null;
            try {
                Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, command);
                if (result != null) {
                    out.println(sessionType.getMethod("format", Object.class, int.class).invoke(session, result, 0));
                }
            } catch (InvocationTargetException e) {
                failure = e.getCause();
            } finally {
                sessionType.getMethod("close").invoke(session);
                context.ungetService(reference);
            }
            return new Output(bytes.toString(StandardCharsets.UTF_8), failure);
        }
    }
}

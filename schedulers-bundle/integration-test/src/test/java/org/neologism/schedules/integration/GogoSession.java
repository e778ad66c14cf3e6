package org.neologism.schedules.integration;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Runs Gogo commands in the framework through its {@code CommandProcessor}, as the launcher's --run does. */
final class GogoSession {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    private final RunningFramework framework;

    GogoSession(RunningFramework framework) {
        this.framework = framework;
    }

    /** What the command printed; a failing command throws with its own message. */
    String run(String command) throws Exception {
        BundleContext context = framework.contextOf("org.apache.felix.gogo.runtime");
        ServiceReference<?> reference = context.getServiceReference(PROCESSOR);
        Object processor = context.getService(reference);
        Class<?> processorType = reference.getBundle().loadClass(PROCESSOR);
        Class<?> sessionType = reference.getBundle().loadClass(SESSION);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                .invoke(processor, new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, command);
            if (result != null) {
                out.write(String.valueOf(sessionType.getMethod("format", Object.class, int.class).invoke(session, result, 0))
                        .getBytes(StandardCharsets.UTF_8));
            }
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            sessionType.getMethod("close").invoke(session);
            context.ungetService(reference);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

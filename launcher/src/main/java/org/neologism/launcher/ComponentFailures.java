package org.neologism.launcher;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Declarative Services components that failed to activate, with their causes. Without this, a broken
 * component shows up in Gogo only as "target is null". Read through SCR's runtime service by
 * reflection, since the launcher sits outside the framework.
 */
final class ComponentFailures {

    private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String DESCRIPTION = "org.osgi.service.component.runtime.dto.ComponentDescriptionDTO";
    /** {@code ComponentConfigurationDTO.FAILED_ACTIVATION} (DS 1.4). */
    private static final int FAILED_ACTIVATION = 16;

    private final BundleContext context;

    ComponentFailures(BundleContext context) {
        this.context = context;
    }

    void report(PrintStream err) {
        ServiceReference<?> reference = firstService(context, RUNTIME);
        if (reference == null) {
            return;
        }
        try {
            Object runtime = context.getService(reference);
            Class<?> runtimeType = reference.getBundle().loadClass(RUNTIME);
            Class<?> descriptionType = reference.getBundle().loadClass(DESCRIPTION);
            Collection<?> descriptions = (Collection<?>) runtimeType.getMethod("getComponentDescriptionDTOs", Bundle[].class)
                    .invoke(runtime, (Object) new Bundle[0]);
            for (Object description : descriptions) {
                Collection<?> configurations = (Collection<?>) runtimeType
                        .getMethod("getComponentConfigurationDTOs", descriptionType).invoke(runtime, description);
                for (Object configuration : configurations) {
                    if (configuration.getClass().getField("state").getInt(configuration) == FAILED_ACTIVATION) {
                        Object failure = configuration.getClass().getField("failure").get(configuration);
                        err.println("Component " + description.getClass().getField("name").get(description)
                                + " failed to activate: " + withoutStackFrames(String.valueOf(failure)));
                    }
                }
            }
            context.ungetService(reference);
        } catch (ReflectiveOperationException | RuntimeException e) {
            err.println("(could not read component states: " + e + ")");
        }
    }

    /**
     * A service by class name, without the class-compatibility check: the launcher's class path does
     * not hold the service's API, and an embedding host's might hold a copy that would not match.
     */
    static ServiceReference<?> firstService(BundleContext context, String className) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(className, null);
            return references == null ? null : references[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exception lines of a stack trace ("X: message", "Caused by: ..."), without the frames. */
    static String withoutStackFrames(String stackTrace) {
        return Arrays.stream(stackTrace.split("\\R"))
                .filter(line -> !line.isBlank() && !line.startsWith("\tat ") && !line.startsWith("\t..."))
                .map(String::strip)
                .collect(Collectors.joining("\n  "));
    }

}

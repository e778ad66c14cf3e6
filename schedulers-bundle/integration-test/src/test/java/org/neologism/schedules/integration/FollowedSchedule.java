package org.neologism.schedules.integration;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Core's {@code LiveSchedule} as loaded by the core bundle inside the framework, driven from the test.
 * The test class path has its own copy of the core classes, so the framework's are reached by
 * reflection; the consumer's lookups use the core bundle's context, as a consumer bundle wired to core
 * would.
 */
final class FollowedSchedule implements AutoCloseable {

    private final Object live;
    private final Method multiplier;
    private final Method close;

    private FollowedSchedule(Object live) throws NoSuchMethodException {
        this.live = live;
        this.multiplier = live.getClass().getMethod("multiplier", long.class);
        this.close = live.getClass().getMethod("close");
    }

    static FollowedSchedule follow(RunningFramework framework, String name, long warmup, long total, double lr,
            Map<String, String> parameters, Consumer<String> notices) throws ReflectiveOperationException {
        Bundle core = framework.bundle("org.neologism.core");
        Class<?> settingsType = core.loadClass("org.neologism.core.schedule.ScheduleSettings");
        Object settings = settingsType.getConstructor(long.class, long.class, double.class, Map.class)
                .newInstance(warmup, total, lr, parameters);
        Class<?> liveType = core.loadClass("org.neologism.core.schedule.LiveSchedule");
        Object live = liveType.getMethod("follow", BundleContext.class, String.class, settingsType, Consumer.class)
                .invoke(null, framework.contextOf("org.neologism.core"), name, settings, notices);
        return new FollowedSchedule(live);
    }

    double multiplier(long step) throws InterruptedException {
        try {
            return (double) multiplier.invoke(live, step);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws ReflectiveOperationException {
        close.invoke(live);
    }
}

package org.neologism.core.schedule;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A schedule followed by name through the service registry, for a consumer that steps through it.
 *
 * <p>Every call to {@link #multiplier(long)} asks the registry which service now carries the name
 * (the highest-ranked one), so stopping, updating or replacing the providing bundle during a run costs
 * no step: the next step uses the replacement. While no provider is registered, the call blocks, says
 * which schedule it waits for, and returns once one appears. A new provider is checked against the
 * settings before its first step.
 *
 * <p>One thread steps; {@link #close()} may come from another and ends a wait.
 */
public final class LiveSchedule implements AutoCloseable {

    /** How long a paused step sleeps between looks at the registry when nothing wakes it. */
    private static final long RECHECK_MILLIS = 200;
    /** How often a paused step repeats that it is still waiting. */
    private static final long REMIND_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final ScheduleSettings settings;
    private final Consumer<String> notices;
    private final ServiceTracker<LearningRateSchedule, LearningRateSchedule> tracker;
    private volatile boolean closed;
    private ServiceReference<LearningRateSchedule> provider;
    private String providerDescription;

    private LiveSchedule(BundleContext context, String name, ScheduleSettings settings, Consumer<String> notices) {
        this.name = name;
        this.settings = settings;
        this.notices = notices;
        this.tracker = new ServiceTracker<>(context, filterFor(name), null);
    }

    /**
     * Starts following the schedule called {@code name}.
     *
     * @param context  the consumer's bundle context
     * @param notices  receives one line when the consumer pauses for a missing schedule and when a
     *                 different provider takes over
     */
    public static LiveSchedule follow(BundleContext context, String name, ScheduleSettings settings, Consumer<String> notices) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(notices, "notices");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A learning-rate schedule name is needed, e.g. constant or cosine");
        }
        LiveSchedule schedule = new LiveSchedule(context, name, settings, notices);
        schedule.tracker.open();
        return schedule;
    }

    public String name() {
        return name;
    }

    /**
     * The multiplier for {@code step}, from whichever provider is registered now; blocks while none is.
     *
     * @throws InterruptedException     when the waiting thread is interrupted
     * @throws IllegalStateException    when the schedule was closed
     * @throws IllegalArgumentException when a new provider refuses the settings
     */
    public double multiplier(long step) throws InterruptedException {
        while (true) {
            if (closed) {
                throw new IllegalStateException("Learning-rate schedule " + name + " is no longer followed (closed)");
            }
            ServiceReference<LearningRateSchedule> reference = tracker.getServiceReference();
            LearningRateSchedule schedule = reference == null ? null : tracker.getService(reference);
            if (schedule == null) {
                awaitProvider(step);
                continue;
            }
            try {
                if (!reference.equals(provider)) {
                    schedule.validate(settings);
                    if (provider != null) {
                        notices.accept("Learning-rate schedule " + name + " now comes from " + describe(reference)
                                + ", from step " + step + " on");
                    }
                    provider = reference;
                    providerDescription = describe(reference);
                }
                return schedule.multiplier(step, settings);
            } catch (RuntimeException e) {
                // A provider that went away during the call may fail in any way; the step is then
                // asked of whichever provider is registered now. Failures of a live provider are real.
                if (tracker.getService(reference) != null) {
                    throw e;
                }
            }
        }
    }

    /** Stops following: a step waiting for a provider ends with an {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        tracker.close();
    }

    private void awaitProvider(long step) throws InterruptedException {
        String previous = provider == null ? "" : " (last provided by " + providerDescription + ")";
        notices.accept("Step " + step + " waits for learning-rate schedule " + name + ": no bundle provides it" + previous
                + ". Training continues when one is registered (ti:schedulers lists those available)");
        long remindAt = System.nanoTime() + REMIND_NANOS;
        while (!closed && tracker.getService() == null) {
            tracker.waitForService(RECHECK_MILLIS);
            if (System.nanoTime() - remindAt > 0 && tracker.getService() == null) {
                notices.accept("Step " + step + " still waits for learning-rate schedule " + name);
                remindAt = System.nanoTime() + REMIND_NANOS;
            }
        }
    }

    private static String describe(ServiceReference<?> reference) {
        var bundle = reference.getBundle();
        if (bundle == null) {
            return "a bundle that has just gone (service " + reference.getProperty("service.id") + ")";
        }
        return bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle " + bundle.getBundleId() + ")";
    }

    private static Filter filterFor(String name) {
        String filter = "(&(objectClass=" + LearningRateSchedule.class.getName() + ")(" + LearningRateSchedule.NAME_PROPERTY
                + "=" + escape(name) + "))";
        try {
            return FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("Schedule name '" + name + "' cannot be looked up: " + e.getMessage(), e);
        }
    }

    /** RFC 1960 filter escaping of a value: backslash, asterisk and parentheses. */
    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}

package org.neologism.core.schedule;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A schedule followed by name through the service registry, for a consumer that steps through it.
 *
 * <p>Every call to {@link #multiplier(long)} asks the registry which services now carry the name and
 * uses the highest-ranked one that accepts the run's settings, so stopping, updating or replacing the
 * providing bundle during a run costs no step: the next step uses the replacement. While no provider
 * (or none that accepts the settings) is registered, the call blocks, says which schedule it waits
 * for, and returns once one appears. Each provider is checked against the settings before its first
 * step; one that refuses them is passed over, with a notice quoting its reason.
 *
 * <pre>{@code
 * try (LiveSchedule schedule = LiveSchedule.follow(context, "cosine", settings, log::info)) {
 *     for (long step = start; step < settings.totalSteps(); step++) {
 *         optimizer.setLearningRate(settings.baseLearningRate() * schedule.multiplier(step));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>One thread steps; {@link #close()} may come from another and ends a wait.
 */
public final class LiveSchedule implements AutoCloseable {

    /** Longest sleep of a paused step between looks at the registry (registry changes wake it sooner). */
    private static final long RECHECK_MILLIS = 200;
    /** How often a paused step repeats that it is still waiting. */
    private static final long REMIND_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final ScheduleSettings settings;
    private final Listener notices;
    private final ServiceTracker<LearningRateSchedule, LearningRateSchedule> tracker;
    private final Object registryChanged = new Object();
    private volatile boolean closed;

    // Used by the stepping thread only.
    private final Set<ServiceReference<LearningRateSchedule>> accepted = new HashSet<>();
    private final Map<ServiceReference<LearningRateSchedule>, String> refused = new HashMap<>();
    private int checkedAtTrackingCount = -1;
    private ServiceReference<LearningRateSchedule> provider;
    private String providerDescription;

    /** What a follower hears: a line for each event, and which schedule a step waits for while none is there. */
    public interface Listener {

        /** A different provider took over, or a provider refused the settings. */
        void notice(String line);

        /** A step waits for a provider of {@code schedule}; {@code line} says why (and is repeated now and then). */
        void waiting(String schedule, String line);
    }

    private LiveSchedule(BundleContext context, String name, ScheduleSettings settings, Listener notices) {
        this.name = name;
        this.settings = settings;
        this.notices = notices;
        this.tracker = new ServiceTracker<>(context, filterFor(name), null) {
            @Override
            public LearningRateSchedule addingService(ServiceReference<LearningRateSchedule> reference) {
                LearningRateSchedule schedule = super.addingService(reference);
                wakeWaitingStep();
                return schedule;
            }

            @Override
            public void modifiedService(ServiceReference<LearningRateSchedule> reference, LearningRateSchedule service) {
                super.modifiedService(reference, service);
                wakeWaitingStep();
            }
        };
    }

    /**
     * Starts following the schedule called {@code name}.
     *
     * @param context  the consumer's bundle context
     * @param settings the run's warmup, length, base rate and schedule parameters
     * @param notices  receives one line when the consumer pauses for a missing schedule, when a
     *                 different provider takes over, and when a provider refuses the settings
     */
    public static LiveSchedule follow(BundleContext context, String name, ScheduleSettings settings, Consumer<String> notices) {
        Objects.requireNonNull(notices, "notices");
        return follow(context, name, settings, new Listener() {
            @Override
            public void notice(String line) {
                notices.accept(line);
            }

            @Override
            public void waiting(String schedule, String line) {
                notices.accept(line);
            }
        });
    }

    /** Starts following the schedule called {@code name}, telling {@code listener} apart what it waits for. */
    public static LiveSchedule follow(BundleContext context, String name, ScheduleSettings settings, Listener listener) {
        Listener notices = listener;
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
     * The multiplier for {@code step}, from the best provider registered now; blocks while none is.
     *
     * @throws InterruptedException  when the waiting thread is interrupted
     * @throws IllegalStateException when the schedule was closed
     */
    public double multiplier(long step) throws InterruptedException {
        while (true) {
            if (closed) {
                throw new IllegalStateException("Learning-rate schedule " + name + " is no longer followed (closed)");
            }
            int trackingCount = tracker.getTrackingCount();
            Candidate candidate = bestAcceptingProvider();
            if (candidate == null) {
                awaitProvider(step, trackingCount);
                continue;
            }
            if (!candidate.reference().equals(provider)) {
                if (provider != null) {
                    notices.notice("Learning-rate schedule " + name + " now comes from " + describe(candidate.reference())
                            + ", from step " + step + " on");
                }
                provider = candidate.reference();
                providerDescription = describe(provider);
            }
            try {
                return candidate.schedule().multiplier(step, settings);
            } catch (RuntimeException e) {
                // A provider that went away during the call may fail in any way; the step is then
                // asked of whichever provider is registered now. Failures of a live provider are real.
                if (tracker.getService(candidate.reference()) != null) {
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
        wakeWaitingStep();
    }

    private record Candidate(ServiceReference<LearningRateSchedule> reference, LearningRateSchedule schedule) {}

    /** The highest-ranked registered provider that accepts the settings, or null. */
    private Candidate bestAcceptingProvider() {
        ServiceReference<LearningRateSchedule>[] references = tracker.getServiceReferences();
        if (references == null) {
            return null;
        }
        if (checkedAtTrackingCount != tracker.getTrackingCount()) {
            // Forget the verdicts on services that have gone, so a long run does not collect them.
            Set<ServiceReference<LearningRateSchedule>> registered = Set.of(references);
            accepted.retainAll(registered);
            refused.keySet().retainAll(registered);
            checkedAtTrackingCount = tracker.getTrackingCount();
        }
        // ServiceReference orders by ranking, then age: reversed, the registry's favourite comes first.
        Arrays.sort(references, Collections.reverseOrder());
        for (ServiceReference<LearningRateSchedule> reference : references) {
            if (refused.containsKey(reference)) {
                continue;
            }
            LearningRateSchedule schedule = tracker.getService(reference);
            if (schedule == null) {
                continue;
            }
            if (!accepted.contains(reference)) {
                try {
                    schedule.validate(settings);
                    accepted.add(reference);
                } catch (IllegalArgumentException e) {
                    refused.put(reference, e.getMessage());
                    notices.notice("Learning-rate schedule " + name + " from " + describe(reference)
                            + " refuses this run's settings and is not used: " + e.getMessage());
                    continue;
                }
            }
            return new Candidate(reference, schedule);
        }
        return null;
    }

    private void awaitProvider(long step, int trackingCount) throws InterruptedException {
        notices.waiting(name, "Step " + step + " waits for learning-rate schedule " + name + ": " + whyNone()
                + ". Training continues when one is registered (ti:schedulers lists those available)");
        long remindAt = System.nanoTime() + REMIND_NANOS;
        synchronized (registryChanged) {
            while (!closed && tracker.getTrackingCount() == trackingCount) {
                registryChanged.wait(RECHECK_MILLIS);
                if (System.nanoTime() - remindAt > 0) {
                    notices.waiting(name, "Step " + step + " still waits for learning-rate schedule " + name);
                    remindAt = System.nanoTime() + REMIND_NANOS;
                }
            }
        }
    }

    private String whyNone() {
        ServiceReference<LearningRateSchedule>[] references = tracker.getServiceReferences();
        if (references != null) {
            String reason = Arrays.stream(references).map(refused::get).filter(Objects::nonNull).findFirst()
                    .orElse("no reason given");
            return "every registered provider refuses the settings (" + reason + ")";
        }
        return "no bundle provides it" + (provider == null ? "" : " (last provided by " + providerDescription + ")");
    }

    private void wakeWaitingStep() {
        synchronized (registryChanged) {
            registryChanged.notifyAll();
        }
    }

    private static String describe(ServiceReference<?> reference) {
        Bundle bundle = reference.getBundle();
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

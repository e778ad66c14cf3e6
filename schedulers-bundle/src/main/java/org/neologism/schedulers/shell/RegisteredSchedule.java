package org.neologism.schedulers.shell;

import org.neologism.core.schedule.LearningRateSchedule;

/**
 * A schedule service as the registry offers it.
 *
 * @param name      its {@code scheduler.name}
 * @param schedule  the service
 * @param provider  the providing bundle, e.g. {@code org.neologism.schedulers 0.1.0 (bundle 7)}
 * @param ranking   its {@code service.ranking}; the highest wins when several share a name
 * @param serviceId its {@code service.id}; the lowest wins among equal rankings
 */
record RegisteredSchedule(String name, LearningRateSchedule schedule, String provider, int ranking, long serviceId) {

    /** True when the registry prefers this service to {@code other} (OSGi ranking, then age). */
    boolean preferredTo(RegisteredSchedule other) {
        return ranking != other.ranking ? ranking > other.ranking : serviceId < other.serviceId;
    }
}

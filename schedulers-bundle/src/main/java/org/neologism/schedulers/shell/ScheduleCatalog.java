package org.neologism.schedulers.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongFunction;
import org.neologism.core.schedule.LearningRateSchedule;

/** The learning-rate schedules registered at one moment, by name. */
final class ScheduleCatalog {

    private final List<RegisteredSchedule> schedules;

    ScheduleCatalog(List<RegisteredSchedule> schedules) {
        this.schedules = schedules.stream()
                .sorted(Comparator.comparing(RegisteredSchedule::name)
                        .thenComparing(Comparator.comparingInt(RegisteredSchedule::ranking).reversed())
                        .thenComparingLong(RegisteredSchedule::serviceId))
                .toList();
    }

    /**
     * A catalog from Declarative Services' view of the services: their properties and objects.
     *
     * @param providers describes a bundle by id, e.g. {@code org.neologism.schedulers 0.1.0 (bundle 7)}
     */
    static ScheduleCatalog of(List<Map.Entry<Map<String, Object>, LearningRateSchedule>> services, LongFunction<String> providers) {
        List<RegisteredSchedule> schedules = new ArrayList<>();
        for (Map.Entry<Map<String, Object>, LearningRateSchedule> service : services) {
            Map<String, Object> properties = service.getKey();
            Object name = properties.get(LearningRateSchedule.NAME_PROPERTY);
            Object bundleId = properties.get("service.bundleid");
            schedules.add(new RegisteredSchedule(
                    name == null ? service.getValue().name() : name.toString(),
                    service.getValue(),
                    bundleId instanceof Number id ? providers.apply(id.longValue()) : "(unknown bundle)",
                    properties.get("service.ranking") instanceof Integer ranking ? ranking : 0,
                    properties.get("service.id") instanceof Number id ? id.longValue() : Long.MAX_VALUE));
        }
        return new ScheduleCatalog(schedules);
    }

    /** Every registered schedule, by name, the preferred provider of a name first. */
    List<RegisteredSchedule> all() {
        return schedules;
    }

    /** The names, sorted. */
    TreeSet<String> names() {
        TreeSet<String> names = new TreeSet<>();
        schedules.forEach(schedule -> names.add(schedule.name()));
        return names;
    }

    /** The service a consumer following {@code name} would use now. */
    Optional<RegisteredSchedule> find(String name) {
        return schedules.stream().filter(schedule -> schedule.name().equals(name))
                .reduce((a, b) -> a.preferredTo(b) ? a : b);
    }

    /** The schedule called {@code name}, or an exception listing the names that exist. */
    RegisteredSchedule require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("No learning-rate schedule named '" + name
                + "' is registered; available: " + (names().isEmpty() ? "none" : String.join(", ", names()))));
    }
}

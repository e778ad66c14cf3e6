package org.neologism.schedulers.shell;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.schedule.ScheduleParameter;

/** The text of {@code ti:schedulers}: each schedule, its provider and its parameters. */
final class ScheduleListing {

    private ScheduleListing() {}

    static List<String> lines(ScheduleCatalog catalog) {
        List<String> lines = new ArrayList<>();
        if (catalog.all().isEmpty()) {
            lines.add("No learning-rate schedules are registered: start the bundle org.neologism.schedulers");
            return lines;
        }
        int width = catalog.names().stream().mapToInt(String::length).max().orElse(0);
        String previous = null;
        for (RegisteredSchedule schedule : catalog.all()) {
            boolean shadowed = schedule.name().equals(previous);
            lines.add(String.format("%-" + width + "s  from %s%s", schedule.name(), schedule.provider(),
                    shadowed ? "  (not used: another provider of this name ranks higher)" : ""));
            for (ScheduleParameter parameter : schedule.schedule().parameters()) {
                lines.add(String.format("%-" + width + "s    %s=%s  %s", "", parameter.name(), parameter.defaultValue(),
                        parameter.description()));
            }
            previous = schedule.name();
        }
        return lines;
    }
}

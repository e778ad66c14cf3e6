package org.neologism.frontends.invokeaiti;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.neologism.core.schedule.LearningRateSchedule;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The names of the learning-rate schedules registered now, as the form offers them and the command line checks them. */
@Component(service = RegisteredSchedules.class)
public class RegisteredSchedules {

    private final Map<LearningRateSchedule, String> names = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addSchedule(LearningRateSchedule schedule, Map<String, Object> properties) {
        Object name = properties.get(LearningRateSchedule.NAME_PROPERTY);
        if (name != null) {
            names.put(schedule, name.toString());
        }
    }

    void removeSchedule(LearningRateSchedule schedule) {
        names.remove(schedule);
    }

    /** Sorted, each name once. */
    public List<String> names() {
        return names.values().stream().filter(Objects::nonNull).distinct().sorted().toList();
    }
}

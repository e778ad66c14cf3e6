package org.neologism.example.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neologism.core.schedule.ScheduleSettings;

class WarmupStableDecayScheduleTest {

    private final WarmupStableDecaySchedule schedule = new WarmupStableDecaySchedule();

    @Test
    void warmsUpHoldsThenDecaysOverTheLastFifthByDefault() {
        ScheduleSettings settings = new ScheduleSettings(10, 100, 1e-4);
        schedule.validate(settings);
        assertEquals(0.0, schedule.multiplier(0, settings));
        assertEquals(0.5, schedule.multiplier(5, settings));
        assertEquals(1.0, schedule.multiplier(10, settings));
        assertEquals(1.0, schedule.multiplier(79, settings));
        assertEquals(1.0, schedule.multiplier(80, settings));
        assertEquals(0.5, schedule.multiplier(90, settings), 1e-15);
        assertEquals(0.05, schedule.multiplier(99, settings), 1e-15);
        assertEquals(0.0, schedule.multiplier(100, settings));
        assertEquals(0.0, schedule.multiplier(150, settings));
    }

    @Test
    void decaysToTheMinimumRatio() {
        ScheduleSettings settings = new ScheduleSettings(0, 40, 1e-4, Map.of("decay_fraction", "0.5", "min_ratio", "0.1"));
        schedule.validate(settings);
        assertEquals(1.0, schedule.multiplier(19, settings));
        assertEquals(1.0, schedule.multiplier(20, settings));
        assertEquals(0.1 + 0.9 * 0.5, schedule.multiplier(30, settings), 1e-15);
        assertEquals(0.1, schedule.multiplier(40, settings), 1e-15);
    }

    @Test
    void refusesABadParameterByName() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> schedule.validate(new ScheduleSettings(0, 40, 1e-4, Map.of("min_ratio", "1.5"))));
        assertTrue(error.getMessage().contains("min_ratio=1.5"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class,
                () -> schedule.validate(new ScheduleSettings(0, 40, 1e-4, Map.of("decay", "0.5"))));
        assertTrue(error.getMessage().contains("decay") && error.getMessage().contains("decay_fraction, min_ratio"),
                error.getMessage());
    }
}

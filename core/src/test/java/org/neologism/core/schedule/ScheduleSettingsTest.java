package org.neologism.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleSettingsTest {

    private static final ScheduleParameter CYCLES = new ScheduleParameter("num_cycles", "1", "restarts");

    @Test
    void missingParametersTakeTheirDefaults() {
        ScheduleSettings settings = new ScheduleSettings(10, 100, 1e-4);
        assertEquals("1", CYCLES.textIn(settings));
        assertEquals(1L, CYCLES.wholeNumberIn(settings));
        assertEquals(3.5, CYCLES.numberIn(new ScheduleSettings(0, 1, 1e-4, Map.of("num_cycles", " 3.5 "))));
    }

    @Test
    void badValuesAreRefusedNamingTheParameterAndItsDefault() {
        ScheduleSettings settings = new ScheduleSettings(0, 1, 1e-4, Map.of("num_cycles", "three"));
        assertEquals("Parameter num_cycles=three is not a whole number (default 1: restarts)",
                assertThrows(IllegalArgumentException.class, () -> CYCLES.wholeNumberIn(settings)).getMessage());
        assertEquals("Parameter num_cycles=three is not a number (default 1: restarts)",
                assertThrows(IllegalArgumentException.class, () -> CYCLES.numberIn(settings)).getMessage());
        assertEquals("Parameter num_cycles=Infinity is not a finite number (default 1: restarts)",
                assertThrows(IllegalArgumentException.class,
                        () -> CYCLES.numberIn(new ScheduleSettings(0, 1, 1e-4, Map.of("num_cycles", "Infinity")))).getMessage());
    }

    @Test
    void undeclaredParametersAreRefused() {
        ScheduleSettings settings = new ScheduleSettings(0, 1, 1e-4, Map.of("num_cycle", "3", "power", "2"));
        assertEquals("Schedule cosine_with_restarts has no parameter num_cycle, power: it accepts num_cycles",
                assertThrows(IllegalArgumentException.class, () -> settings.refuseUndeclared("cosine_with_restarts", List.of(CYCLES)))
                        .getMessage());
        new ScheduleSettings(0, 1, 1e-4, Map.of("num_cycles", "3")).refuseUndeclared("cosine_with_restarts", List.of(CYCLES));
    }

    @Test
    void stepsAndRateAreCheckedAndParametersCopied() {
        assertEquals("Warmup steps must not be negative, got -1: use 0 for no warmup",
                assertThrows(IllegalArgumentException.class, () -> new ScheduleSettings(-1, 10, 1e-4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSettings(0, -10, 1e-4));
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSettings(0, 10, Double.NaN));
        Map<String, String> parameters = new HashMap<>(Map.of("num_cycles", "2"));
        ScheduleSettings settings = new ScheduleSettings(0, 10, 1e-4, parameters);
        parameters.put("num_cycles", "5");
        assertEquals("2", CYCLES.textIn(settings));
    }
}

package org.neologism.schedulers.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterArgumentsTest {

    @Test
    void readsNameValuePairsAndOptionsAlike() {
        assertEquals(Map.of("num_cycles", "3", "power", "2", "lr_end", "1e-6"),
                ParameterArguments.parse(List.of("num_cycles=3", "--power", "2", "--lr_end=1e-6")));
        assertEquals(Map.of("step_rules", "1:10,0.1:20,0.01"), ParameterArguments.parse(List.of("step_rules=1:10,0.1:20,0.01")));
    }

    @Test
    void refusesWhatIsNotAParameter() {
        assertEquals("Parameter --power needs a value, e.g. --power 3",
                assertThrows(IllegalArgumentException.class, () -> ParameterArguments.parse(List.of("--power"))).getMessage());
        assertEquals("'3' is not a schedule parameter: write name=value or --name value, e.g. num_cycles=3",
                assertThrows(IllegalArgumentException.class, () -> ParameterArguments.parse(List.of("3"))).getMessage());
        assertEquals("Parameter power is given twice: give it once",
                assertThrows(IllegalArgumentException.class, () -> ParameterArguments.parse(List.of("power=1", "--power", "2")))
                        .getMessage());
    }
}

package org.neologism.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;

/** What users may pass to each schedule, and the messages for what they may not. */
class ScheduleParametersTest {

    private static String refusal(LearningRateSchedule schedule, long warmup, long total, Map<String, String> parameters) {
        return assertThrows(IllegalArgumentException.class,
                () -> schedule.validate(new ScheduleSettings(warmup, total, 1e-4, parameters))).getMessage();
    }

    @Test
    void everyScheduleDeclaresItsParametersWithDefaultsThatValidate() {
        ScheduleParityTest.SCHEDULES.values().forEach(schedule -> {
            schedule.validate(new ScheduleSettings(10, 100, 1e-4));
            schedule.parameters().forEach(parameter -> {
                assertTrue(!parameter.description().isBlank(), schedule.name() + "." + parameter.name());
                schedule.validate(new ScheduleSettings(10, 100, 1e-4, Map.of(parameter.name(), parameter.defaultValue())));
            });
        });
        assertEquals("1", new CosineWithRestartsSchedule().parameters().get(0).defaultValue());
        assertEquals("1e-7", PolynomialSchedule.LR_END.defaultValue());
    }

    @Test
    void aMisspeltParameterIsRefusedWithTheAcceptedNames() {
        String message = refusal(new CosineWithRestartsSchedule(), 0, 100, Map.of("num_cycle", "3"));
        assertEquals("Schedule cosine_with_restarts has no parameter num_cycle: it accepts num_cycles", message);
        message = refusal(new LinearSchedule(), 0, 100, Map.of("power", "2"));
        assertEquals("Schedule linear has no parameter power: it takes no parameters", message);
    }

    @Test
    void cyclesMustBeAWholeNumberOfAtLeastOne() {
        assertTrue(refusal(new CosineWithRestartsSchedule(), 0, 100, Map.of("num_cycles", "2.5"))
                .startsWith("Parameter num_cycles=2.5 is not a whole number (default 1"));
        assertTrue(refusal(new CosineWithRestartsSchedule(), 0, 100, Map.of("num_cycles", "0"))
                .startsWith("Parameter num_cycles=0 must be at least 1"));
    }

    @Test
    void polynomialNeedsAPositivePowerAnEndBelowTheBaseRateAndStepsAfterWarmup() {
        PolynomialSchedule polynomial = new PolynomialSchedule();
        assertTrue(refusal(polynomial, 0, 100, Map.of("power", "-1")).startsWith("Parameter power=-1 must be positive"));
        assertTrue(refusal(polynomial, 0, 100, Map.of("power", "NaN")).startsWith("Parameter power=NaN is not a finite number"));
        assertTrue(refusal(polynomial, 0, 100, Map.of("lr_end", "1e-3"))
                .startsWith("Parameter lr_end=1e-3 must be smaller than the base learning rate 1.0E-4"));
        assertTrue(refusal(polynomial, 100, 100, Map.of()).contains("warmup (100 steps) leaves nothing of the 100 total steps"));
    }

    @Test
    void polynomialHoldsLrEndAfterTheLastStep() {
        ScheduleSettings settings = new ScheduleSettings(10, 100, 5e-4, Map.of("power", "2.0"));
        assertEquals(1e-7 / 5e-4, new PolynomialSchedule().multiplier(100, settings), 1e-18);
        assertEquals(1e-7 / 5e-4, new PolynomialSchedule().multiplier(250, settings));
    }

    @Test
    void stepRulesAreCheckedPieceByPiece() {
        PiecewiseConstantSchedule piecewise = new PiecewiseConstantSchedule();
        piecewise.validate(new ScheduleSettings(0, 100, 1e-4, Map.of("step_rules", "1:10,0.1")));
        assertTrue(refusal(piecewise, 0, 100, Map.of("step_rules", "1:10,-0.1"))
                .contains("'-0.1' is not a multiplier (a number >= 0)"));
        assertTrue(refusal(piecewise, 0, 100, Map.of("step_rules", "1:10,0.1:x,0.01"))
                .contains("step_rules=1:10,0.1:x,0.01 is not valid: 'x' is not a step bound"));
        assertTrue(refusal(piecewise, 0, 100, Map.of("step_rules", "1:10,0.5:10,0.1"))
                .contains("step bound 10 appears twice"));
        assertTrue(refusal(piecewise, 0, 100, Map.of("step_rules", "1:10,0.1:20"))
                .contains("the last entry must be the multiplier after every bound"));
        assertTrue(refusal(piecewise, 0, 100, Map.of("step_rules", "1-10,0.1"))
                .contains("rule '1-10' is not multiplier:step_bound"));
    }

    @Test
    void stepRulesNeedNotBeSorted() {
        ScheduleSettings settings = new ScheduleSettings(0, 100, 1e-4, Map.of("step_rules", "0.1:20,1:10,0.01"));
        PiecewiseConstantSchedule piecewise = new PiecewiseConstantSchedule();
        assertEquals(1.0, piecewise.multiplier(9, settings));
        assertEquals(0.1, piecewise.multiplier(10, settings));
        assertEquals(0.01, piecewise.multiplier(20, settings));
    }
}

package org.neologism.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.schedule.LearningRateSchedule;

/** Every schedule against diffusers' learning rates for every run of every golden variant. */
class ScheduleParityTest {

    private static final double RELATIVE_TOLERANCE = 1e-12;

    static final Map<String, LearningRateSchedule> SCHEDULES = List.of(new ConstantSchedule(),
            new ConstantWithWarmupSchedule(), new LinearSchedule(), new CosineSchedule(), new CosineWithRestartsSchedule(),
            new PolynomialSchedule(), new PiecewiseConstantSchedule())
            .stream().collect(Collectors.toMap(LearningRateSchedule::name, Function.identity()));

    static List<GoldenSchedules.Case> cases() {
        return GoldenSchedules.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void learningRatesMatchDiffusers(GoldenSchedules.Case golden) {
        LearningRateSchedule schedule = SCHEDULES.get(golden.name());
        if (schedule == null) {
            fail("No schedule named " + golden.name() + " for fixture " + golden);
        }
        schedule.validate(golden.settings());
        assertEquals(golden.settings().totalSteps() + 1, golden.lrs().length, "fixture holds steps 0..T");
        for (int k = 0; k < golden.lrs().length; k++) {
            double expected = golden.lrs()[k];
            double actual = golden.settings().baseLearningRate() * schedule.multiplier(k, golden.settings());
            assertTrue(Math.abs(actual - expected) <= RELATIVE_TOLERANCE * Math.abs(expected),
                    golden + " step " + k + ": expected " + expected + ", got " + actual);
        }
    }

    @Test
    void everyScheduleIsCoveredByTheFixtures() {
        Set<String> covered = new HashSet<>();
        cases().forEach(golden -> covered.add(golden.name()));
        assertEquals(SCHEDULES.keySet(), covered);
    }
}

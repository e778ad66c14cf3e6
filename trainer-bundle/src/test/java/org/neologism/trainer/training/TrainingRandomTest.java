package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainingRandomTest {

    @Test
    void aResumedRunDrawsWhatTheUninterruptedRunDrew() {
        TrainingRandom straight = new TrainingRandom(42, 5, 100, 27, 1000);
        TrainingRandom.Draw[] expected = new TrainingRandom.Draw[1200];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = straight.draw(i);
        }
        TrainingRandom resumed = new TrainingRandom(42, 5, 100, 27, 1000);
        for (int i = 700; i < expected.length; i++) {
            assertEquals(expected[i], resumed.draw(i));
        }
        assertArrayEquals(straight.noise(917, 64), resumed.noise(917, 64));
        assertArrayEquals(straight.posteriorEps(3, 64), resumed.posteriorEps(3, 64));
    }

    @Test
    void eachEpochVisitsEveryImageRepeatsTimes() {
        TrainingRandom random = new TrainingRandom(7, 4, 3, 19, 1000);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] visits = new int[4];
            for (int i = 0; i < 12; i++) {
                visits[random.draw(epoch * 12L + i).image()]++;
            }
            assertArrayEquals(new int[] {3, 3, 3, 3}, visits, "epoch " + epoch);
        }
    }

    @Test
    void drawsCoverTheirRangesAndDifferBetweenSeeds() {
        TrainingRandom random = new TrainingRandom(1, 3, 100, 27, 1000);
        boolean[] templates = new boolean[27];
        int flips = 0;
        int minTimestep = Integer.MAX_VALUE;
        int maxTimestep = Integer.MIN_VALUE;
        for (int i = 0; i < 3000; i++) {
            TrainingRandom.Draw draw = random.draw(i);
            templates[draw.template()] = true;
            flips += draw.flip() ? 1 : 0;
            minTimestep = Math.min(minTimestep, draw.timestep());
            maxTimestep = Math.max(maxTimestep, draw.timestep());
        }
        for (boolean seen : templates) {
            assertTrue(seen);
        }
        assertTrue(flips > 1350 && flips < 1650, "flips " + flips);
        assertTrue(minTimestep < 10 && maxTimestep > 990 && maxTimestep < 1000);
        assertNotEquals(Arrays.toString(random.noise(0, 8)), Arrays.toString(new TrainingRandom(2, 3, 100, 27, 1000).noise(0, 8)));
    }

    @Test
    void noiseIsStandardNormalAndIndependentOfEps() {
        TrainingRandom random = new TrainingRandom(3, 1, 1, 1, 1000);
        float[] noise = random.noise(5, 100_000);
        double mean = 0;
        double square = 0;
        for (float value : noise) {
            mean += value;
            square += value * value;
        }
        mean /= noise.length;
        double variance = square / noise.length - mean * mean;
        assertEquals(0, mean, 0.02);
        assertEquals(1, variance, 0.02);
        assertNotEquals(noise[0], random.posteriorEps(5, 1)[0]);
    }
}

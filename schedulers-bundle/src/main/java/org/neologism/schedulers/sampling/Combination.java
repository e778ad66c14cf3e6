package org.neologism.schedulers.sampling;

import java.util.Arrays;
import org.neologism.core.sampling.SamplerStep;

/**
 * A linear combination of the samples x_{k-j} and model outputs m_{k-j} of the steps so far, seen from
 * step k. The samplers write their update rules with these (x0 predictions, ε, derivatives) and expand
 * them into one {@link SamplerStep}.
 */
final class Combination {

    private static final int DEPTH = 8;
    private final double[] sample = new double[DEPTH];
    private final double[] output = new double[DEPTH];

    static Combination sample(int back, double c) {
        Combination out = new Combination();
        out.sample[back] = c;
        return out;
    }

    static Combination output(int back, double c) {
        Combination out = new Combination();
        out.output[back] = c;
        return out;
    }

    /** a·x_{k-back} + b·m_{k-back}. */
    static Combination of(int back, double a, double b) {
        Combination out = new Combination();
        out.sample[back] = a;
        out.output[back] = b;
        return out;
    }

    Combination plus(Combination other, double scale) {
        Combination out = new Combination();
        for (int j = 0; j < DEPTH; j++) {
            out.sample[j] = sample[j] + scale * other.sample[j];
            out.output[j] = output[j] + scale * other.output[j];
        }
        return out;
    }

    Combination times(double scale) {
        return new Combination().plus(this, scale);
    }

    /** The same combination seen from {@code steps} steps later (x_{k-j} becomes x_{k+steps-(j+steps)}). */
    Combination shifted(int steps) {
        Combination out = new Combination();
        for (int j = 0; j + steps < DEPTH; j++) {
            out.sample[j + steps] = sample[j];
            out.output[j + steps] = output[j];
        }
        return out;
    }

    SamplerStep step(double timestep, double inputScale, double noise) {
        return new SamplerStep(timestep, inputScale, trimmed(sample), trimmed(output), noise);
    }

    private static double[] trimmed(double[] values) {
        int n = values.length;
        while (n > 1 && values[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(values, n);
    }
}

package org.neologism.trainer.model.nn;

import java.util.SplittableRandom;

/**
 * How a freshly created (untrained) weight is filled, following PyTorch's defaults: linear and conv
 * weights and biases U(-1/√fan_in, 1/√fan_in), norms 1 and 0, embedding tables N(0, 0.02²) as transformers does.
 */
public record Init(Kind kind, double scale) {

    public enum Kind { UNIFORM, NORMAL, CONSTANT }

    public static Init fanIn(long fanIn) {
        return new Init(Kind.UNIFORM, 1.0 / Math.sqrt(fanIn));
    }

    public static Init normal(double std) {
        return new Init(Kind.NORMAL, std);
    }

    public static Init constant(double value) {
        return new Init(Kind.CONSTANT, value);
    }

    public float[] sample(int count, SplittableRandom random) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = switch (kind) {
                case UNIFORM -> (float) ((2 * random.nextDouble() - 1) * scale);
                case NORMAL -> (float) (gaussian(random) * scale);
                case CONSTANT -> (float) scale;
            };
        }
        return values;
    }

    /** Box–Muller (SplittableRandom has no nextGaussian in Java 17). */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

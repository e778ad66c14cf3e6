package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.neologism.trainer.engine.TorchEngine;

/**
 * Timings, not a test (the name keeps it out of the default run): the SD-1.5 UNet's 3×3 convolutions at
 * 256 and 512 px, batch 1 and 4, forward and forward with the input's gradient (frozen kernel), through
 * libtorch's conv2d and through {@link Conv2d#asOneProduct}; the figures behind
 * {@link Conv2d#MAX_PRODUCT_PIXELS}. {@code mvn ... -Dtest=Conv2dProductBench} (with the launcher's
 * allocator environment for figures like the step's).
 */
class Conv2dProductBench {

    /** in channels, out channels, input side, stride. */
    private static final int[][] SHAPES = {
        {2560, 1280, 4, 1}, {1280, 1280, 4, 1}, {1280, 1280, 8, 2},
        {2560, 1280, 8, 1}, {1920, 1280, 8, 1}, {1280, 1280, 8, 1}, {640, 1280, 8, 1}, {640, 640, 16, 2},
        {1280, 1280, 16, 1}, {1920, 640, 16, 1}, {640, 640, 16, 1}, {320, 320, 32, 2},
        {640, 640, 32, 1}, {320, 320, 32, 1},
    };

    @Test
    void time() {
        int runs = Integer.getInteger("bench.runs", 5);
        try (NDManager manager = new TorchEngine().newManager()) {
            for (int batch : new int[] {1, 4}) {
                for (int[] s : SHAPES) {
                    NDArray kernel = manager.randomNormal(new Shape(s[1], s[0], 3, 3));
                    NDArray bias = manager.randomNormal(new Shape(s[1]));
                    NDArray x = manager.randomNormal(new Shape(batch, s[0], s[2], s[2]));
                    int stride = s[3];
                    UnaryOperator<NDArray> libtorch = in -> ai.djl.nn.convolutional.Conv2d.conv2d(in, kernel, bias,
                            new Shape(stride, stride), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
                    UnaryOperator<NDArray> product = in -> Conv2d.asOneProduct(in, kernel, bias, stride, 1);
                    long side = (s[2] - 1) / stride + 1;
                    double flop = 2.0 * batch * side * side * s[1] * s[0] * 9;
                    double[] conv = {best(manager, x, libtorch, false, runs), best(manager, x, libtorch, true, runs)};
                    double[] mm = {best(manager, x, product, false, runs), best(manager, x, product, true, runs)};
                    System.out.printf(Locale.ROOT, "BENCH %-28s out %3d px: forward conv %7.1f ms (%5.1f GFLOP/s)"
                            + " product %7.1f ms (%5.1f) ×%.2f; forward+backward conv %7.1f ms product %7.1f ms ×%.2f%n",
                            Arrays.toString(x.getShape().getShape()) + "→" + s[1] + (stride == 2 ? " s2" : ""),
                            batch * side * side, conv[0] * 1e3, flop / conv[0] / 1e9, mm[0] * 1e3, flop / mm[0] / 1e9,
                            conv[0] / mm[0], conv[1] * 1e3, mm[1] * 1e3, conv[1] / mm[1]);
                    kernel.close();
                    bias.close();
                    x.close();
                }
            }
        }
    }

    /** The fastest of {@code runs} calls after one warm-up, each in its own scope, in seconds. */
    private static double best(NDManager parent, NDArray x, UnaryOperator<NDArray> convolution, boolean backward,
            int runs) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i <= runs; i++) {
            try (NDManager scope = parent.newSubManager()) {
                NDArray input = x.duplicate();
                input.attach(scope);
                input.setRequiresGradient(backward);
                long t0 = System.nanoTime();
                if (backward) {
                    try (GradientCollector collector = parent.getEngine().newGradientCollector()) {
                        collector.backward(convolution.apply(input));
                    }
                    input.getGradient().getFloat(0, 0, 0, 0);
                } else {
                    convolution.apply(input).getFloat(0, 0, 0, 0);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (i > 0) {
                    best = Math.min(best, seconds);
                }
            }
        }
        return best;
    }
}

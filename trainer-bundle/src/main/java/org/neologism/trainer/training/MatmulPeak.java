package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.neologism.trainer.engine.ProcessCpuTime;

/**
 * What this machine's libtorch reaches on the arithmetic a step is made of: a large float32 matrix
 * product on the threads the step uses, best of a few, by wall time and by CPU time per thread (the
 * latter is what the cores give when nothing else runs). A step's rate is reported as a share of it.
 */
final class MatmulPeak {

    /** Best rates in FLOP/s. */
    record Rates(double wall, double cpu) {}

    private MatmulPeak() {}

    /**
     * Products timed together in one sample: the process's CPU time comes in 10 ms ticks and one 2048² product
     * takes about a quarter of a second of CPU, so a lone product's CPU rate could be off by several per cent, and
     * the best of several such samples picks the luckiest rounding (rates above the cores' peak were seen).
     */
    private static final int PRODUCTS_PER_SAMPLE = 3;

    /** The best rates over {@code samples} samples of {@code [n, n] × [n, n]} products. */
    static Rates measure(NDManager parent, int n, int samples) {
        int threads = JniUtils.getNumThreads();
        double flops = 2.0 * n * n * n * PRODUCTS_PER_SAMPLE;
        try (NDManager scope = parent.newSubManager()) {
            NDArray a = scope.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray b = scope.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            a.matMul(b).close();
            double bestWall = 0;
            double bestCpu = 0;
            for (int i = 0; i < samples; i++) {
                long cpuStart = ProcessCpuTime.nanos();
                long start = System.nanoTime();
                for (int p = 0; p < PRODUCTS_PER_SAMPLE; p++) {
                    try (NDArray product = a.matMul(b)) {
                        product.getFloat(0, 0);
                    }
                }
                long nanos = System.nanoTime() - start;
                long cpuNanos = ProcessCpuTime.nanos() - cpuStart;
                bestWall = Math.max(bestWall, flops / (nanos / 1e9));
                if (cpuNanos > 0) {
                    bestCpu = Math.max(bestCpu, flops / (cpuNanos / 1e9 / threads));
                }
            }
            return new Rates(bestWall, bestCpu);
        }
    }
}

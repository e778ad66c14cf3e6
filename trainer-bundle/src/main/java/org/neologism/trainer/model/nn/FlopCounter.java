package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The analytic floating-point work of the matrix products a step runs (convolutions, linear layers,
 * attention), tallied from the real shapes while a benchmark counts one step; element-wise work is left
 * out, as in the usual "2·MAC" figure. Backward work is counted for the layers on the gradient's path: the
 * weights are frozen, so a layer's backward is its input's gradient (as much work as its forward), and
 * attention's backward runs four products for its two. The path is every layer after the trainable vectors
 * enter: the whole text encoder, and in the UNet everything after the first cross-attention (the time
 * embedding's small projections are counted with it). Off, a layer pays one read of a thread-local.
 */
public final class FlopCounter {

    /** What one counted step does, in floating-point operations. */
    public static final class Tally {
        private long forward;
        private long backward;
        private boolean onGradientPath;
        private final Map<String, long[]> convolutionOutputs = new HashMap<>();

        public long forward() {
            return forward;
        }

        public long backward() {
            return backward;
        }

        public long total() {
            return forward + backward;
        }

        /**
         * Each convolution's output shape by {@link #convolutionKey its input and kernel shapes}: a profiler
         * trace records an operator's input shapes only, and stride and padding decide the output.
         */
        public Map<String, long[]> convolutionOutputs() {
            return Collections.unmodifiableMap(convolutionOutputs);
        }
    }

    private static final ThreadLocal<Tally> ACTIVE = new ThreadLocal<>();

    private FlopCounter() {}

    /** Counts what {@code work} runs on this thread. */
    public static Tally count(Runnable work) {
        Tally tally = new Tally();
        Tally previous = ACTIVE.get();
        ACTIVE.set(tally);
        try {
            work.run();
        } finally {
            ACTIVE.set(previous);
        }
        return tally;
    }

    /** From here on, layers' inputs depend on the trainable vectors (or, with {@code false}, no longer do). */
    public static void gradientPath(boolean on) {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            tally.onGradientPath = on;
        }
    }

    /** A convolution of {@code input} with a {@code [Cout, Cin, k, k]} kernel into {@code out}. */
    public static void convolution(NDArray input, NDArray weight, NDArray out) {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            Shape w = weight.getShape();
            add(tally, 2 * out.getShape().size() * w.get(1) * w.get(2) * w.get(3), 1);
            tally.convolutionOutputs.put(convolutionKey(input.getShape().getShape(), w.getShape()),
                    out.getShape().getShape());
        }
    }

    /** How a convolution is named by its input and kernel shapes, e.g. {@code [1, 320, 32, 32]·[320, 320, 3, 3]}. */
    public static String convolutionKey(long[] input, long[] weight) {
        return Arrays.toString(input) + "·" + Arrays.toString(weight);
    }

    /** A linear layer {@code [.., in] → [.., out]}. */
    public static void linear(NDArray input, NDArray weight) {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            Shape w = weight.getShape();
            long rows = input.getShape().size() / w.get(1);
            add(tally, 2 * rows * w.get(0) * w.get(1), 1);
        }
    }

    /** softmax(q kᵀ) v on {@code [B, H, N, d]} queries over {@code [B, H, M, d]} keys. */
    public static void attention(NDArray query, NDArray key) {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            Shape q = query.getShape();
            add(tally, 2 * 2 * q.get(0) * q.get(1) * q.get(2) * key.getShape().get(2) * q.get(3), 2);
        }
    }

    private static void add(Tally tally, long forward, int backwardPerForward) {
        tally.forward += forward;
        if (tally.onGradientPath) {
            tally.backward += backwardPerForward * forward;
        }
    }
}

package org.neologism.trainer.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.neologism.trainer.engine.TorchEngine;

class Conv2dProductTest {

    /** N, C, H, W, O, kernel, stride, padding: non-square inputs and kernels, so a swapped axis shows. */
    private static final int[][] CASES = {
        {1, 5, 4, 6, 3, 3, 1, 1},
        {3, 4, 7, 6, 5, 3, 1, 1},
        {2, 3, 9, 8, 4, 3, 2, 1},
        {2, 6, 5, 7, 2, 3, 2, 0},
        {1, 2, 6, 5, 3, 5, 1, 2},
    };

    @Test
    void theOneProductEqualsLibtorchsConvolutionForwardAndInInputGradient() {
        try (NDManager manager = new TorchEngine().newManager()) {
            manager.getEngine().setRandomSeed(17);
            for (int[] c : CASES) {
                NDArray x = manager.randomNormal(new Shape(c[0], c[1], c[2], c[3]));
                NDArray kernel = manager.randomNormal(new Shape(c[4], c[1], c[5], c[5]));
                NDArray bias = manager.randomNormal(new Shape(c[4]));
                int stride = c[6];
                int padding = c[7];
                NDList expected = convolveWithGradient(manager, x, input -> ai.djl.nn.convolutional.Conv2d.conv2d(input,
                        kernel, bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                        .singletonOrThrow());
                NDList actual = convolveWithGradient(manager, x,
                        input -> Conv2d.asOneProduct(input, kernel, bias, stride, padding));
                String name = java.util.Arrays.toString(c);
                assertEquals(expected.get(0).getShape(), actual.get(0).getShape(), name);
                assertClose(expected.get(0), actual.get(0), name + " output");
                assertClose(expected.get(1), actual.get(1), name + " input gradient");
            }
        }
    }

    @Test
    void aSmallConvolutionTakesTheProductAndCountsTheSameWork() {
        try (NDManager manager = new TorchEngine().newManager()) {
            Conv2d layer = new Conv2d(8, 6, 3, 1, 1);
            layer.namedParameters().values().forEach(p -> p.set(manager.randomNormal(p.shape())));
            NDArray x = manager.randomNormal(new Shape(2, 8, 4, 4));
            NDArray kernel = layer.namedParameters().get("weight").array();
            assertTrue(Conv2d.takesOneProduct(x, kernel, 1, 1), "2·4·4 output pixels take the product");
            NDArray[] out = new NDArray[1];
            FlopCounter.Tally tally = FlopCounter.count(() -> out[0] = layer.forward(x));
            assertEquals(2L * 2 * 6 * 4 * 4 * 8 * 3 * 3, tally.forward());
            assertArrayEquals(new long[] {2, 6, 4, 4}, tally.convolutionOutputs().get(
                    FlopCounter.convolutionKey(new long[] {2, 8, 4, 4}, new long[] {6, 8, 3, 3})));
            assertEquals(new Shape(2, 6, 4, 4), out[0].getShape());
        }
    }

    /** The output and the input's gradient for an output gradient of sin(0, 1, 2, ...), the same for both paths. */
    private static NDList convolveWithGradient(NDManager manager, NDArray x,
            java.util.function.UnaryOperator<NDArray> convolution) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray out = convolution.apply(input);
            NDArray weights = manager.arange((float) out.getShape().size()).reshape(out.getShape()).sin();
            collector.backward(out.mul(weights).sum());
            return new NDList(out.duplicate(), input.getGradient().duplicate());
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4 * (1 + Math.abs(e[i])), what + " at " + i);
        }
    }
}

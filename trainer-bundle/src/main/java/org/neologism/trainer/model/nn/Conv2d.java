package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} with a square kernel, symmetric padding and bias. */
public final class Conv2d extends Module {

    /**
     * The most output pixels (batch × height × width) a float32 k×k convolution runs as {@link #asOneProduct one
     * matrix product}. With few output pixels a call is bound by reading its kernel (118 MB for a 2560→1280 3×3),
     * and libtorch reads it badly there: oneDNN reorders the kernel into a fresh buffer on every call (above
     * glibc's 32 MB mmap threshold, so faulted in anew), and below N·C·H·W = 20,480 libtorch takes its slow im2col
     * path; one product reads the kernel once. Measured on 2 threads with {@code Conv2dProductBench} (SD-1.5's
     * 3×3 shapes, forward with the input's gradient, load 3–4): up to 64 output pixels the product is 1.0–1.9×
     * as fast as libtorch's conv2d in every shape, at 256 it is 0.9–1.2× (no gain to take), from 1024 0.6–0.96×.
     * In the step the gain is larger than in isolation: the 2560→1280 kernel over 4×4 took 128 ms per forward
     * call through oneDNN in the profiled SD-1.5 step at 256 px, 22 ms as the product.
     */
    static final long MAX_PRODUCT_PIXELS = 64;

    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;

    public Conv2d(long in, long out, int kernel, int stride, int padding) {
        weight = parameter("weight", Init.fanIn(in * kernel * kernel), out, in, kernel, kernel);
        bias = parameter("bias", Init.fanIn(in * kernel * kernel), out);
        this.stride = stride;
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        NDArray kernel = weight.array();
        NDArray out = takesOneProduct(x, kernel, stride, padding)
                ? asOneProduct(x, kernel, bias.array(), stride, padding)
                : ai.djl.nn.convolutional.Conv2d.conv2d(x, kernel, bias.array(), new Shape(stride, stride),
                        new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
        FlopCounter.convolution(x, kernel, out);
        return out;
    }

    /** Whether {@link #asOneProduct} is the faster way for this call (see {@link #MAX_PRODUCT_PIXELS}). */
    static boolean takesOneProduct(NDArray x, NDArray kernel, int stride, int padding) {
        if (x.getDataType() != DataType.FLOAT32 || kernel.getShape().get(2) == 1) {
            return false; // measured for float32 only; a 1×1 convolution has no columns to gather
        }
        long k = kernel.getShape().get(2);
        return x.getShape().get(0) * outputSide(x.getShape().get(2), k, stride, padding)
                * outputSide(x.getShape().get(3), k, stride, padding) <= MAX_PRODUCT_PIXELS;
    }

    /** An output side of a convolution over {@code side} input pixels. */
    private static long outputSide(long side, long kernel, int stride, int padding) {
        return (side + 2L * padding - kernel) / stride + 1;
    }

    /**
     * The convolution as one matrix product: {@code [O, C·k²]} (the OIHW kernel, viewed without a copy) times the
     * {@code [C·k², N·Hout·Wout]} columns, whose row {@code c·k² + ky·k + kx} is the input's channel c shifted by
     * (ky, kx), so the kernel is read once for the whole batch. Autograd gives the input's gradient: Kᵀ·grad for
     * the columns, which the slices' backward adds back into the padded input.
     */
    static NDArray asOneProduct(NDArray x, NDArray kernel, NDArray bias, int stride, int padding) {
        NDManager manager = x.getManager();
        long n = x.getShape().get(0);
        long channels = x.getShape().get(1);
        long out = kernel.getShape().get(0);
        int k = (int) kernel.getShape().get(2);
        long outH = outputSide(x.getShape().get(2), k, stride, padding);
        long outW = outputSide(x.getShape().get(3), k, stride, padding);
        // [C, N, H, W]: each shifted slice then lays its N·Hout·Wout pixels out as one row of the columns.
        NDArray channelsFirst = n == 1
                ? x.reshape(channels, 1, x.getShape().get(2), x.getShape().get(3))
                : x.transpose(1, 0, 2, 3);
        NDArray padded = padding == 0 ? channelsFirst : channelsFirst.pad(new Shape(padding, padding, padding, padding), 0);
        NDList shifted = new NDList(k * k);
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                shifted.add(padded.get(new NDIndex().addAllDim().addAllDim()
                        .addSliceDim(ky, ky + stride * (outH - 1) + 1, stride)
                        .addSliceDim(kx, kx + stride * (outW - 1) + 1, stride)));
            }
        }
        NDArray columns = NDArrays.stack(shifted, 1).reshape(channels * k * k, n * outH * outW);
        // Views of the weights belong to the weights' manager and would outlive the step.
        NDArray kernelMatrix = kernel.reshape(out, channels * k * k);
        kernelMatrix.attach(manager);
        NDArray biasColumn = bias.reshape(out, 1);
        biasColumn.attach(manager);
        NDArray product = kernelMatrix.matMul(columns).add(biasColumn);
        if (n == 1) {
            return product.reshape(1, out, outH, outW);
        }
        // [O, N, P] → [N, O, P] contiguous: the reshape through [N, O·P] copies (a transposed view's strides would
        // lead the next convolutions into another layout, see Transformer2D.toImage).
        return product.reshape(out, n, outH * outW).transpose(1, 0, 2).reshape(n, out * outH * outW)
                .reshape(n, out, outH, outW);
    }

    /** The weights' dtype. */
    public ai.djl.ndarray.types.DataType dataType() {
        return weight.array().getDataType();
    }
}

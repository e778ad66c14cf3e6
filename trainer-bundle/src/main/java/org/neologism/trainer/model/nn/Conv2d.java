package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} with a square kernel, symmetric padding and bias. */
public final class Conv2d extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(long in, long out, int kernel, int stride, int padding) {
        weight = parameter("weight", Init.fanIn(in * kernel * kernel), out, in, kernel, kernel);
        bias = parameter("bias", Init.fanIn(in * kernel * kernel), out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    public NDArray forward(NDArray x) {
        NDArray out = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias.array(), stride, padding,
                new Shape(1, 1), 1).singletonOrThrow();
        FlopCounter.convolution(x, weight.array(), out);
        return out;
    }

    /** The weights' dtype. */
    public ai.djl.ndarray.types.DataType dataType() {
        return weight.array().getDataType();
    }
}

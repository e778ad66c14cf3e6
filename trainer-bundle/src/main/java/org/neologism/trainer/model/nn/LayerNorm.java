package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension. */
public final class LayerNorm extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final float eps;
    private final Shape normalized;

    public LayerNorm(long width, double eps) {
        weight = parameter("weight", Init.constant(1), width);
        bias = parameter("bias", Init.constant(0), width);
        this.eps = (float) eps;
        this.normalized = new Shape(width);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.array(), bias.array(), eps).singletonOrThrow();
    }
}

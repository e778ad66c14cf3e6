package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Linear}: y = x Wᵀ + b. */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;

    public Linear(long in, long out, boolean withBias) {
        weight = parameter("weight", Init.fanIn(in), out, in);
        bias = withBias ? parameter("bias", Init.fanIn(in), out) : null;
    }

    public NDArray forward(NDArray x) {
        FlopCounter.linear(x, weight.array());
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }
}

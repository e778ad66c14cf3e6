package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.GroupNorm(groups, channels, eps, affine=True)} on NCHW input. */
public final class GroupNorm extends Module {

    private final Kernels kernels;
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final double eps;

    public GroupNorm(Kernels kernels, int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        }
        this.kernels = kernels;
        weight = parameter("weight", Init.constant(1), channels);
        bias = parameter("bias", Init.constant(0), channels);
        this.groups = groups;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return kernels.groupNorm(x, groups, weight.array(), bias.array(), eps);
    }
}

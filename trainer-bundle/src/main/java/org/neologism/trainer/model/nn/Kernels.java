package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The two operations DJL lacks as fused kernels. {@link ComposedKernels} builds them from DJL
 * operations; the fused implementation calls libtorch's own kernels through TorchScript.
 */
public interface Kernels {

    /**
     * Scaled dot-product attention, softmax(q kᵀ / sqrt(d)) v, on [B, heads, N, d] tensors.
     *
     * @param causal mask every key after its query (CLIP's text encoder)
     * @param upcast compute the scores and softmax in float32 whatever the input type, result cast back
     */
    NDArray attention(NDArray query, NDArray key, NDArray value, boolean causal, boolean upcast);

    /** {@code torch.group_norm(x, groups, weight, bias, eps)} on NCHW input. */
    NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps);

    /**
     * {@code x} as {@code type}, keeping the autograd graph. DJL's {@code toType} detaches its result,
     * which would cut the trainable vectors' gradient wherever mixed precision changes a tensor's type.
     */
    NDArray cast(NDArray x, DataType type);

    /** A short name for reports: "composed" or "fused". */
    String name();
}

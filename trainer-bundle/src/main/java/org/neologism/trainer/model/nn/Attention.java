package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Attention} with its default processor: multi-head attention of [B, N, query_dim]
 * queries over [B, M, context_dim] keys/values, projections {@code to_q, to_k, to_v, to_out.0}.
 */
public final class Attention extends Module {

    private final Kernels kernels;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final boolean upcast;

    /**
     * @param projectionBias bias on to_q/to_k/to_v (the VAE's attention has one, the UNet's has not)
     * @param upcast compute scores and softmax in float32 ({@code upcast_attention} / {@code upcast_softmax})
     */
    public Attention(Kernels kernels, long queryDim, long contextDim, int heads, long headSize,
            boolean projectionBias, boolean upcast) {
        this.kernels = kernels;
        long inner = heads * headSize;
        toQ = child("to_q", new Linear(queryDim, inner, projectionBias));
        toK = child("to_k", new Linear(contextDim, inner, projectionBias));
        toV = child("to_v", new Linear(contextDim, inner, projectionBias));
        toOut = child("to_out.0", new Linear(inner, queryDim, true));
        this.heads = heads;
        this.upcast = upcast;
    }

    /** Self-attention over [B, N, C]. */
    public NDArray forward(NDArray x) {
        return forward(x, x);
    }

    /** Attention of [B, N, C] queries over a [B, M, context] context. */
    public NDArray forward(NDArray x, NDArray context) {
        if (context != x) {
            // The text conditioning (and with it the trainable vectors) enters the UNet here.
            FlopCounter.gradientPath(true);
        }
        NDArray q = splitHeads(toQ.forward(x), heads);
        NDArray k = splitHeads(toK.forward(context), heads);
        NDArray v = splitHeads(toV.forward(context), heads);
        return toOut.forward(mergeHeads(kernels.attention(q, k, v, false, upcast)));
    }

    /** [B, N, H·d] → [B, H, N, d]. */
    public static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** [B, H, N, d] → [B, N, H·d]. */
    public static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}

package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * diffusers' {@code BasicTransformerBlock} (layer norms, GEGLU feed-forward):
 * x += attn1(LN1(x)); x += attn2(LN2(x), context); x += ff(LN3(x)).
 */
public final class BasicTransformerBlock extends Module {

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Linear geluProj;
    private final Linear ffOut;

    public BasicTransformerBlock(Kernels kernels, long width, int heads, long headSize, long contextWidth,
            boolean upcastAttention) {
        norm1 = child("norm1", new LayerNorm(width, 1e-5));
        attn1 = child("attn1", new Attention(kernels, width, width, heads, headSize, false, upcastAttention));
        norm2 = child("norm2", new LayerNorm(width, 1e-5));
        attn2 = child("attn2", new Attention(kernels, width, contextWidth, heads, headSize, false, upcastAttention));
        norm3 = child("norm3", new LayerNorm(width, 1e-5));
        FeedForward ff = child("ff", new FeedForward(width, 4 * width));
        geluProj = ff.proj;
        ffOut = ff.out;
    }

    public NDArray forward(NDArray x, NDArray context) {
        x = attn1.forward(norm1.forward(x)).add(x);
        x = attn2.forward(norm2.forward(x), context).add(x);
        return ffOut.forward(geglu(norm3.forward(x))).add(x);
    }

    /** GEGLU: (hidden, gate) = proj(x) split in two along the last axis; hidden · GELU(gate). */
    private NDArray geglu(NDArray x) {
        NDArray projected = geluProj.forward(x);
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        return halves.get(0).mul(Activations.GELU.apply(halves.get(1)));
    }

    /** {@code ff.net.0.proj} (GEGLU projection to twice the inner width) and {@code ff.net.2} (back). */
    private static final class FeedForward extends Module {
        final Linear proj;
        final Linear out;

        FeedForward(long width, long inner) {
            Module geglu = child("net.0", new Module() {});
            proj = geglu.child("proj", new Linear(width, 2 * inner, true));
            out = child("net.2", new Linear(inner, width, true));
        }
    }
}

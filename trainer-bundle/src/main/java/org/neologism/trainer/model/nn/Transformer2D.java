package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code Transformer2DModel} on continuous input: GN, proj_in (1×1 conv, or Linear when
 * {@code use_linear_projection}), transformer blocks over the H·W tokens, proj_out, plus the input.
 */
public final class Transformer2D extends Module {

    private final GroupNorm norm;
    private final Conv2d projInConv;
    private final Linear projInLinear;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Conv2d projOutConv;
    private final Linear projOutLinear;

    public Transformer2D(Kernels kernels, long channels, int heads, long headSize, int layers, long contextWidth,
            int groups, boolean linearProjection, boolean upcastAttention) {
        long inner = heads * headSize;
        norm = child("norm", new GroupNorm(kernels, groups, channels, 1e-6));
        projInConv = linearProjection ? null : child("proj_in", new Conv2d(channels, inner, 1, 1, 0));
        projInLinear = linearProjection ? child("proj_in", new Linear(channels, inner, true)) : null;
        for (int i = 0; i < layers; i++) {
            blocks.add(child("transformer_blocks." + i,
                    new BasicTransformerBlock(kernels, inner, heads, headSize, contextWidth, upcastAttention)));
        }
        projOutConv = linearProjection ? null : child("proj_out", new Conv2d(inner, channels, 1, 1, 0));
        projOutLinear = linearProjection ? child("proj_out", new Linear(inner, channels, true)) : null;
    }

    public NDArray forward(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray y = norm.forward(x);
        if (projInConv != null) {
            y = projInConv.forward(y);
        }
        y = toTokens(y);
        if (projInLinear != null) {
            y = projInLinear.forward(y);
        }
        for (BasicTransformerBlock block : blocks) {
            y = block.forward(y, context);
        }
        if (projOutLinear != null) {
            y = projOutLinear.forward(y);
        }
        y = toImage(y, b, h, w);
        if (projOutConv != null) {
            y = projOutConv.forward(y);
        }
        return y.add(x);
    }

    /**
     * [B, H·W, C] → [B, C, H, W], contiguous. A transposed view would carry channels-last strides, which the
     * residual add passes on to the following ResNet blocks; libtorch then runs their convolutions in channels-last
     * and copies each 3×3 kernel into that layout on every call (59 MB for a 1280-wide one). The reshape through
     * [B, C·H·W] cannot be a view of the transposed tokens, so it makes the one small copy of the activations.
     */
    private static NDArray toImage(NDArray tokens, long b, long h, long w) {
        long c = tokens.getShape().get(2);
        return tokens.transpose(0, 2, 1).reshape(b, c * h * w).reshape(b, c, h, w);
    }

    /** [B, C, H, W] → [B, H·W, C]. */
    private static NDArray toTokens(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }
}

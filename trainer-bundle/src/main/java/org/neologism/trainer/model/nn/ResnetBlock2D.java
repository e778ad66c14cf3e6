package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code ResnetBlock2D} (time-scale-shift "default"):
 * out = (x' + conv2(SiLU(GN2(conv1(SiLU(GN1(x))) + proj(SiLU(temb)))))) / scale,
 * x' = x or its 1×1 {@code conv_shortcut} when the width changes.
 */
public final class ResnetBlock2D extends Module {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final double outputScaleFactor;

    /**
     * @param timeChannels width of the time embedding, or 0 for none (the VAE)
     */
    public ResnetBlock2D(Kernels kernels, long in, long out, long timeChannels, int groups, double eps,
            double outputScaleFactor) {
        norm1 = child("norm1", new GroupNorm(kernels, groups, in, eps));
        conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1));
        timeEmbProj = timeChannels > 0 ? child("time_emb_proj", new Linear(timeChannels, out, true)) : null;
        norm2 = child("norm2", new GroupNorm(kernels, groups, out, eps));
        conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
        convShortcut = in != out ? child("conv_shortcut", new Conv2d(in, out, 1, 1, 0)) : null;
        this.outputScaleFactor = outputScaleFactor;
    }

    public NDArray forward(NDArray x, NDArray timeEmbedding) {
        NDArray h = conv1.forward(Activations.SILU.apply(norm1.forward(x)));
        if (timeEmbProj != null) {
            NDArray t = timeEmbProj.forward(Activations.SILU.apply(timeEmbedding));
            h = h.add(t.expandDims(-1).expandDims(-1));
        }
        h = conv2.forward(Activations.SILU.apply(norm2.forward(h)));
        NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
        NDArray out = shortcut.add(h);
        return outputScaleFactor == 1.0 ? out : out.div(Scalars.like(out, outputScaleFactor));
    }
}

package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code Downsample2D} with a conv: 3×3, stride 2. With padding 0 (the VAE) the input is first
 * padded asymmetrically by (0, 1, 0, 1), as diffusers does.
 */
public final class Downsample2D extends Module {

    private final Conv2d conv;
    private final boolean asymmetric;

    public Downsample2D(long channels, int padding) {
        conv = child("conv", new Conv2d(channels, channels, 3, 2, padding));
        asymmetric = padding == 0;
    }

    public NDArray forward(NDArray x) {
        if (asymmetric) {
            // F.pad(x, (0, 1, 0, 1)): one zero column on the right, one zero row at the bottom.
            long[] s = x.getShape().getShape();
            NDArray column = x.getManager().zeros(new ai.djl.ndarray.types.Shape(s[0], s[1], s[2], 1), x.getDataType());
            NDArray wide = x.concat(column, 3);
            NDArray row = x.getManager().zeros(new ai.djl.ndarray.types.Shape(s[0], s[1], 1, s[3] + 1), x.getDataType());
            x = wide.concat(row, 2);
        }
        return conv.forward(x);
    }
}

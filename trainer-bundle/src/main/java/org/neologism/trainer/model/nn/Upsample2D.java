package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * diffusers' {@code Upsample2D} with a conv: nearest-neighbour resize (×2, or to the size of the matching
 * skip connection when the UNet forwards one for odd sizes), then a 3×3 conv.
 */
public final class Upsample2D extends Module {

    private final Conv2d conv;

    public Upsample2D(long channels) {
        conv = child("conv", new Conv2d(channels, channels, 3, 1, 1));
    }

    /** @param size [height, width] to resize to, or null for twice the input size */
    public NDArray forward(NDArray x, long[] size) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long outH = size == null ? 2 * h : size[0];
        long outW = size == null ? 2 * w : size[1];
        return conv.forward(nearest(x, outH, outW));
    }

    /** F.interpolate(mode="nearest"): source index floor(i · in/out) computed in float32, as libtorch does. */
    static NDArray nearest(NDArray x, long outH, long outW) {
        NDManager manager = x.getManager();
        NDArray rows = manager.create(sourceIndices(x.getShape().get(2), outH));
        NDArray columns = manager.create(sourceIndices(x.getShape().get(3), outW));
        return x.get(new NDIndex(":, :, {}", rows)).get(new NDIndex(":, :, :, {}", columns));
    }

    private static long[] sourceIndices(long in, long out) {
        float scale = (float) in / out;
        long[] indices = new long[(int) out];
        for (int i = 0; i < out; i++) {
            indices[i] = Math.min((long) Math.floor(i * scale), in - 1);
        }
        return indices;
    }
}

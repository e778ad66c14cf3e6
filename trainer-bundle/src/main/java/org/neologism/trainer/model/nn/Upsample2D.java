package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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
        NDArray rows = sourceIndices(manager, x.getShape().get(2), outH);
        NDArray columns = sourceIndices(manager, x.getShape().get(3), outW);
        return x.get(new NDIndex(":, :, {}", rows)).get(new NDIndex(":, :, :, {}", columns));
    }

    /** min(floor(i · (float) in/out), in - 1) for i < out, made on the device (no copy from the host). */
    private static NDArray sourceIndices(NDManager manager, long in, long out) {
        float scale = (float) in / out;
        NDArray positions = manager.arange(0f, (float) out, 1f, DataType.FLOAT32);
        return positions.mul(manager.full(new Shape(), scale)).floor().toType(DataType.INT64, false)
                .clip(0, in - 1);
    }
}

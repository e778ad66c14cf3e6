package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Attention and group norm written with plain DJL operations (the fallback when fused kernels cannot load). */
public final class ComposedKernels implements Kernels {

    public static final ComposedKernels INSTANCE = new ComposedKernels();

    private ComposedKernels() {}

    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value, boolean causal, boolean upcast) {
        FlopCounter.attention(query, key);
        DataType type = query.getDataType();
        boolean cast = upcast && type != DataType.FLOAT32;
        NDArray q = cast ? cast(query, DataType.FLOAT32) : query;
        NDArray k = cast ? cast(key, DataType.FLOAT32) : key;
        long headSize = query.getShape().get(3);
        // diffusers: baddbmm(q, kᵀ, alpha = 1/sqrt(d)); transformers' CLIP scales q first (same value to rounding).
        NDArray product = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores = product.mul(Scalars.like(product, 1.0 / Math.sqrt(headSize)));
        if (causal) {
            scores = scores.add(causalMask(scores.getManager(), scores.getShape(), scores.getDataType()));
        }
        NDArray probabilities = scores.softmax(-1);
        if (cast) {
            probabilities = cast(probabilities, type);
        }
        return probabilities.matMul(value);
    }

    /**
     * DJL's cast, which autograd does not follow: fine for inference, and mixed-precision training
     * insists on the fused kernels, whose TorchScript cast it does follow.
     */
    @Override
    public NDArray cast(NDArray x, DataType type) {
        return x.getDataType() == type ? x : x.toType(type, false);
    }

    /**
     * transformers' _make_causal_mask: 0 on and below the diagonal, the dtype's lowest value above it. Made
     * on the device from two ranges, so it costs no copy from the host.
     */
    private static NDArray causalMask(NDManager manager, Shape scoresShape, DataType type) {
        long n = scoresShape.get(2);
        long m = scoresShape.get(3);
        float lowest = type == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
        NDArray above = manager.arange(0f, (float) m, 1f, DataType.FLOAT32).reshape(1, m)
                .gt(manager.arange(0f, (float) n, 1f, DataType.FLOAT32).reshape(n, 1));
        return NDArrays.where(above, manager.full(new Shape(n, m), lowest), manager.zeros(new Shape(n, m)))
                .toType(type, false);
    }

    @Override
    public NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        Shape shape = x.getShape();
        long channels = shape.get(1);
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        // Biased variance over each group, as torch.group_norm computes it.
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray centered = grouped.sub(mean);
        NDArray variance = centered.square().mean(new int[] {2}, true);
        NDArray normalized = centered.div(variance.add(Scalars.like(variance, eps)).sqrt()).reshape(shape);
        long[] perChannelDims = new long[shape.dimension()];
        java.util.Arrays.fill(perChannelDims, 1);
        perChannelDims[1] = channels;
        Shape perChannel = new Shape(perChannelDims);
        return normalized.mul(perChannelView(weight, perChannel, x)).add(perChannelView(bias, perChannel, x));
    }

    /**
     * {@code parameter} reshaped for broadcasting, owned by {@code x}'s manager: a view of a weight would belong to
     * the weights' manager and stay alive after the step (two arrays per group norm per forward).
     */
    private static NDArray perChannelView(NDArray parameter, Shape perChannel, NDArray x) {
        NDArray view = parameter.reshape(perChannel);
        view.attach(x.getManager());
        return view;
    }

    @Override
    public String name() {
        return "composed";
    }
}

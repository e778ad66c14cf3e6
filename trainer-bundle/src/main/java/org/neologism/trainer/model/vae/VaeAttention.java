package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.neologism.trainer.model.nn.Attention;
import org.neologism.trainer.model.nn.GroupNorm;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Linear;
import org.neologism.trainer.model.nn.Module;

/**
 * The VAE mid-block attention (diffusers' {@code Attention} with {@code group_norm}, one head over all
 * channels, biased projections, float32 softmax, residual): x + to_out(attn(GN(x) as H·W tokens)).
 */
final class VaeAttention extends Module {

    private final Kernels kernels;
    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    VaeAttention(Kernels kernels, long channels, int groups) {
        this.kernels = kernels;
        groupNorm = child("group_norm", new GroupNorm(kernels, groups, channels, 1e-6));
        toQ = child("to_q", new Linear(channels, channels, true));
        toK = child("to_k", new Linear(channels, channels, true));
        toV = child("to_v", new Linear(channels, channels, true));
        toOut = child("to_out.0", new Linear(channels, channels, true));
    }

    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        NDArray tokens = groupNorm.forward(x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3))).transpose(0, 2, 1);
        NDArray q = Attention.splitHeads(toQ.forward(tokens), 1);
        NDArray k = Attention.splitHeads(toK.forward(tokens), 1);
        NDArray v = Attention.splitHeads(toV.forward(tokens), 1);
        NDArray attended = toOut.forward(Attention.mergeHeads(kernels.attention(q, k, v, false, true)));
        return attended.transpose(0, 2, 1).reshape(s).add(x);
    }
}

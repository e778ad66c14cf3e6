package org.neologism.trainer.model.clip;

import ai.djl.ndarray.NDArray;
import org.neologism.trainer.model.nn.Attention;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Linear;
import org.neologism.trainer.model.nn.Module;

/** transformers' {@code CLIPAttention}: causal multi-head self-attention with q/k/v/out projections (with bias). */
final class ClipAttention extends Module {

    private final Kernels kernels;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear qProj;
    private final Linear outProj;
    private final int heads;

    ClipAttention(Kernels kernels, int width, int heads) {
        this.kernels = kernels;
        kProj = child("k_proj", new Linear(width, width, true));
        vProj = child("v_proj", new Linear(width, width, true));
        qProj = child("q_proj", new Linear(width, width, true));
        outProj = child("out_proj", new Linear(width, width, true));
        this.heads = heads;
    }

    NDArray forward(NDArray x) {
        NDArray q = Attention.splitHeads(qProj.forward(x), heads);
        NDArray k = Attention.splitHeads(kProj.forward(x), heads);
        NDArray v = Attention.splitHeads(vProj.forward(x), heads);
        return outProj.forward(Attention.mergeHeads(kernels.attention(q, k, v, true, false)));
    }
}

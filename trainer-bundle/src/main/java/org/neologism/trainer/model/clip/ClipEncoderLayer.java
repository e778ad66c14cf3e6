package org.neologism.trainer.model.clip;

import ai.djl.ndarray.NDArray;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.LayerNorm;
import org.neologism.trainer.model.nn.Linear;
import org.neologism.trainer.model.nn.Module;

/** Pre-LN transformer block: x + attn(LN1(x)), then x + fc2(act(fc1(LN2(x)))). */
final class ClipEncoderLayer extends Module {

    private final ClipAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final Linear fc1;
    private final Linear fc2;
    private final LayerNorm layerNorm2;
    private final Activations activation;

    ClipEncoderLayer(Kernels kernels, int width, int intermediate, int heads, double eps, Activations activation) {
        selfAttn = child("self_attn", new ClipAttention(kernels, width, heads));
        layerNorm1 = child("layer_norm1", new LayerNorm(width, eps));
        Mlp mlp = child("mlp", new Mlp(width, intermediate));
        fc1 = mlp.fc1;
        fc2 = mlp.fc2;
        layerNorm2 = child("layer_norm2", new LayerNorm(width, eps));
        this.activation = activation;
    }

    NDArray forward(NDArray x) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x)));
        return h.add(fc2.forward(activation.apply(fc1.forward(layerNorm2.forward(h)))));
    }

    private static final class Mlp extends Module {
        final Linear fc1;
        final Linear fc2;

        Mlp(int width, int intermediate) {
            fc1 = child("fc1", new Linear(width, intermediate, true));
            fc2 = child("fc2", new Linear(intermediate, width, true));
        }
    }
}

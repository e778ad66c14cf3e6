package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;

/** {@code UNetMidBlock2D} without time embedding: resnet, attention, resnet. */
final class VaeMidBlock extends Module {

    private final ResnetBlock2D first;
    private final VaeAttention attention;
    private final ResnetBlock2D second;

    VaeMidBlock(Kernels kernels, long channels, int groups) {
        first = child("resnets.0", new ResnetBlock2D(kernels, channels, channels, 0, groups, 1e-6, 1.0));
        attention = child("attentions.0", new VaeAttention(kernels, channels, groups));
        second = child("resnets.1", new ResnetBlock2D(kernels, channels, channels, 0, groups, 1e-6, 1.0));
    }

    NDArray forward(NDArray x) {
        NDArray h = BlockScope.output(first::forward, x, null);
        h = BlockScope.output(attention::forward, h);
        return BlockScope.output(second::forward, h, null);
    }
}

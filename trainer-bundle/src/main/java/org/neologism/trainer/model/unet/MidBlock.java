package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;
import org.neologism.trainer.model.nn.Transformer2D;

/** {@code UNetMidBlock2DCrossAttn}: resnet, then (attention, resnet) per layer. */
final class MidBlock extends Module {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();

    MidBlock(UNetBlockSpec spec, long channels) {
        resnets.add(child("resnets.0", spec.resnet(channels, channels)));
        for (int i = 0; i < spec.layers(); i++) {
            attentions.add(child("attentions." + i, spec.transformer(channels)));
            resnets.add(child("resnets." + (i + 1), spec.resnet(channels, channels)));
        }
    }

    NDArray forward(NDArray x, NDArray timeEmbedding, NDArray context) {
        x = BlockScope.output(resnets.get(0)::forward, x, timeEmbedding);
        for (int i = 0; i < attentions.size(); i++) {
            x = BlockScope.output(attentions.get(i)::forward, x, context);
            x = BlockScope.output(resnets.get(i + 1)::forward, x, timeEmbedding);
        }
        return x;
    }
}

package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Downsample2D;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;
import org.neologism.trainer.model.nn.Transformer2D;

/** {@code CrossAttnDownBlock2D} (with attentions) or {@code DownBlock2D} (without). */
final class DownBlock extends Module {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    DownBlock(UNetBlockSpec spec, long in, long out, boolean addDownsample, int downsamplePadding) {
        for (int i = 0; i < spec.layers(); i++) {
            resnets.add(child("resnets." + i, spec.resnet(i == 0 ? in : out, out)));
        }
        if (spec.crossAttention()) {
            for (int i = 0; i < spec.layers(); i++) {
                attentions.add(child("attentions." + i, spec.transformer(out)));
            }
        }
        downsampler = addDownsample ? child("downsamplers.0", new Downsample2D(out, downsamplePadding)) : null;
    }

    /** Runs the block; every intermediate state the up path concatenates is appended to {@code skips}. */
    NDArray forward(NDArray x, NDArray timeEmbedding, NDArray context, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            x = BlockScope.output(resnets.get(i)::forward, x, timeEmbedding);
            if (!attentions.isEmpty()) {
                x = BlockScope.output(attentions.get(i)::forward, x, context);
            }
            skips.add(x);
        }
        if (downsampler != null) {
            x = BlockScope.output(downsampler::forward, x);
            skips.add(x);
        }
        return x;
    }
}

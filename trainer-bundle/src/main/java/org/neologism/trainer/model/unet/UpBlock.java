package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;
import org.neologism.trainer.model.nn.Transformer2D;
import org.neologism.trainer.model.nn.Upsample2D;

/** {@code CrossAttnUpBlock2D} or {@code UpBlock2D}: each ResNet first concatenates one skip state. */
final class UpBlock extends Module {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * @param in the channels of the down block this one mirrors (width of its last skip)
     * @param previousOut the channels coming from the block below
     */
    UpBlock(UNetBlockSpec spec, long in, long out, long previousOut, boolean addUpsample) {
        int layers = spec.layers();
        for (int i = 0; i < layers; i++) {
            long skip = i == layers - 1 ? in : out;
            long resnetIn = i == 0 ? previousOut : out;
            resnets.add(child("resnets." + i, spec.resnet(resnetIn + skip, out)));
        }
        if (spec.crossAttention()) {
            for (int i = 0; i < layers; i++) {
                attentions.add(child("attentions." + i, spec.transformer(out)));
            }
        }
        upsampler = addUpsample ? child("upsamplers.0", new Upsample2D(out)) : null;
    }

    int layers() {
        return resnets.size();
    }

    /** Consumes skip states from the end of {@code skips}. */
    NDArray forward(NDArray x, NDArray timeEmbedding, NDArray context, List<NDArray> skips, long[] upsampleSize) {
        for (int i = 0; i < resnets.size(); i++) {
            NDArray skip = skips.remove(skips.size() - 1);
            ResnetBlock2D resnet = resnets.get(i);
            NDArray below = x;
            x = BlockScope.output(() -> resnet.forward(below.concat(skip, 1), timeEmbedding));
            if (!attentions.isEmpty()) {
                x = BlockScope.output(attentions.get(i)::forward, x, context);
            }
        }
        return upsampler == null ? x : BlockScope.output(upsampler::forward, x, upsampleSize);
    }
}

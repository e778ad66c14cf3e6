package org.neologism.trainer.model.unet;

import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.ResnetBlock2D;
import org.neologism.trainer.model.nn.Transformer2D;

/** What one UNet block is made of, resolved from the config for that block. */
record UNetBlockSpec(Kernels kernels, int layers, boolean crossAttention, int heads, int transformerLayers,
        long contextWidth, long timeChannels, int groups, double eps, double resnetScale, boolean linearProjection,
        boolean upcastAttention) {

    ResnetBlock2D resnet(long in, long out) {
        return new ResnetBlock2D(kernels, in, out, timeChannels, groups, eps, resnetScale);
    }

    /** Head size = channels / heads (diffusers reads attention_head_dim as the head count). */
    Transformer2D transformer(long channels) {
        return new Transformer2D(kernels, channels, heads, channels / heads, transformerLayers, contextWidth, groups,
                linearProjection, upcastAttention);
    }
}

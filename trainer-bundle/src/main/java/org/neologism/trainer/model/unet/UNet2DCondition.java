package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.Conv2d;
import org.neologism.trainer.model.nn.GroupNorm;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;

/**
 * diffusers' {@code UNet2DConditionModel} for SD 1.x/2.x/XL: predicts noise (or v) from x_t, t and the text
 * states, plus SDXL's added conditions (pooled text embedding and time ids) when the config says {@code text_time}.
 */
public final class UNet2DCondition extends Module {

    private final UNetConfig config;
    private final Kernels kernels;
    private final Conv2d convIn;
    private final TimestepEmbedding time;
    private final TextTimeEmbedding added;
    private final List<DownBlock> downBlocks = new ArrayList<>();
    private final MidBlock midBlock;
    private final List<UpBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final int upsamplers;

    public UNet2DCondition(UNetConfig config, Kernels kernels) {
        this.kernels = kernels;
        this.config = config;
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        List<Integer> heads = config.headsPerBlock();
        List<Integer> layers = UNetConfig.perBlock(config.layersPerBlock(), blocks);
        List<Integer> contextWidths = UNetConfig.perBlock(config.crossAttentionDim(), blocks);
        List<Integer> transformerLayers = UNetConfig.perBlock(config.transformerLayersPerBlock(), blocks);
        long timeWidth = 4L * channels.get(0);
        int groups = config.normNumGroups();
        double eps = config.normEps();

        convIn = child("conv_in", new Conv2d(config.inChannels(), channels.get(0), config.convInKernel(), 1,
                (config.convInKernel() - 1) / 2));
        time = new TimestepEmbedding(channels.get(0), timeWidth, config.flipSinToCos(), config.freqShift());
        child("time_embedding", time);
        added = config.textTimeConditioning() ? new TextTimeEmbedding(kernels, config.additionTimeEmbedDim(),
                config.projectionClassEmbeddingsInputDim(), timeWidth, config.flipSinToCos(), config.freqShift()) : null;
        if (added != null) {
            child("add_embedding", added.embedding());
        }

        long out = channels.get(0);
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(i);
            boolean last = i == blocks - 1;
            UNetBlockSpec spec = new UNetBlockSpec(kernels, layers.get(i),
                    "CrossAttnDownBlock2D".equals(config.downBlockTypes().get(i)), heads.get(i),
                    transformerLayers.get(i), contextWidths.get(i), timeWidth, groups, eps, 1.0,
                    config.useLinearProjection(), config.upcastAttention());
            downBlocks.add(child("down_blocks." + i, new DownBlock(spec, in, out, !last, config.downsamplePadding())));
        }

        UNetBlockSpec midSpec = new UNetBlockSpec(kernels, 1, true, heads.get(blocks - 1),
                transformerLayers.get(blocks - 1), contextWidths.get(blocks - 1), timeWidth, groups, eps,
                config.midBlockScaleFactor(), config.useLinearProjection(), config.upcastAttention());
        midBlock = child("mid_block", new MidBlock(midSpec, channels.get(blocks - 1)));

        int count = 0;
        out = channels.get(blocks - 1);
        for (int i = 0; i < blocks; i++) {
            int mirrored = blocks - 1 - i;
            long previousOut = out;
            out = channels.get(mirrored);
            long in = channels.get(Math.max(mirrored - 1, 0));
            boolean last = i == blocks - 1;
            UNetBlockSpec spec = new UNetBlockSpec(kernels, layers.get(mirrored) + 1,
                    "CrossAttnUpBlock2D".equals(config.upBlockTypes().get(i)), heads.get(mirrored),
                    transformerLayers.get(mirrored), contextWidths.get(mirrored), timeWidth, groups, eps, 1.0,
                    config.useLinearProjection(), config.upcastAttention());
            upBlocks.add(child("up_blocks." + i, new UpBlock(spec, in, out, previousOut, !last)));
            if (!last) {
                count++;
            }
        }
        upsamplers = count;
        convNormOut = child("conv_norm_out", new GroupNorm(kernels, groups, channels.get(0), eps));
        convOut = child("conv_out", new Conv2d(channels.get(0), config.outChannels(), config.convOutKernel(), 1,
                (config.convOutKernel() - 1) / 2));
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * The model output for noisy latents {@code sample} [B, C, H, W], integer timesteps [B] (or [1], broadcast)
     * and text states [B, N, d]. Inputs are cast to the weights' dtype; the output has that dtype.
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context) {
        return forward(sample, timesteps, context, null);
    }

    /** Whether {@link #forward(NDArray, NDArray, NDArray, AddedConditions)} needs added conditions (SDXL). */
    public boolean needsAddedConditions() {
        return added != null;
    }

    /**
     * As {@link #forward(NDArray, NDArray, NDArray)}, with SDXL's added conditions:
     * {@code emb = time_embedding(time_proj(t)) + add_embedding(cat([text_embeds, add_time_proj(time_ids)]))}.
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context, AddedConditions conditions) {
        if ((added != null) != (conditions != null)) {
            throw new IllegalArgumentException(added != null
                    ? "this UNet (addition_embed_type text_time, SDXL) needs text_embeds and time_ids"
                    : "this UNet takes no added conditions (it is not an SDXL UNet)");
        }
        DataType type = convOutType();
        NDArray x = sample.getDataType() == type ? sample : sample.toType(type, false);
        NDArray ctx = kernels.cast(context, type);
        long batch = x.getShape().get(0);
        NDArray t = timesteps.getShape().size() == 1 && batch > 1 ? timesteps.broadcast(batch) : timesteps;

        NDArray projected = time.project(t);
        NDArray emb = time.embed(projected.getDataType() == type ? projected : projected.toType(type, false));
        if (added != null) {
            emb = emb.add(added.forward(conditions, type));
        }

        // Sizes not divisible by 2^upsamplers make each up block resize to its skip's size, not ×2.
        long factor = 1L << upsamplers;
        boolean forwardSize = x.getShape().get(2) % factor != 0 || x.getShape().get(3) % factor != 0;

        x = convIn.forward(x);
        List<NDArray> skips = new ArrayList<>();
        skips.add(x);
        for (DownBlock block : downBlocks) {
            x = block.forward(x, emb, ctx, skips);
        }
        x = midBlock.forward(x, emb, ctx);
        for (int i = 0; i < upBlocks.size(); i++) {
            UpBlock block = upBlocks.get(i);
            long[] size = null;
            boolean last = i == upBlocks.size() - 1;
            if (!last && forwardSize) {
                NDArray next = skips.get(skips.size() - 1 - block.layers());
                size = new long[] {next.getShape().get(2), next.getShape().get(3)};
            }
            x = block.forward(x, emb, ctx, skips, size);
        }
        return convOut.forward(Activations.SILU.apply(convNormOut.forward(x)));
    }

    private DataType convOutType() {
        return convOut.dataType();
    }
}

package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.Conv2d;
import org.neologism.trainer.model.nn.GradientCheckpoints;
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

    /**
     * A forward with gradient checkpointing ({@code --gradient_checkpointing}): {@link GradientCheckpoints}
     * over the prologue (time embedding, {@code conv_in}), every down block, the mid block, every up block and
     * the epilogue. Its output has no autograd history; {@link CheckpointedForward#backward} turns the output's
     * gradient into those of {@code context} and of SDXL's pooled text embedding.
     *
     * @param scope the manager the kept block outputs belong to until the result is closed
     */
    public CheckpointedForward forwardCheckpointed(NDManager scope, NDArray sample, NDArray timesteps, NDArray context,
                                                   AddedConditions conditions) {
        if ((added != null) != (conditions != null)) {
            throw new IllegalArgumentException(added != null
                    ? "this UNet (addition_embed_type text_time, SDXL) needs text_embeds and time_ids"
                    : "this UNet takes no added conditions (it is not an SDXL UNet)");
        }
        DataType type = convOutType();
        GradientCheckpoints chain = new GradientCheckpoints(scope);
        int sampleId = chain.input(sample, false);
        int timestepsId = chain.input(timesteps, false);
        int contextId = chain.input(context, true);
        int textEmbedsId = added != null ? chain.input(conditions.textEmbeds(), true) : -1;
        int timeIdsId = added != null ? chain.input(conditions.timeIds(), false) : -1;

        int[] prologue = chain.run(inputs -> {
            NDArray x = inputs.get(0).getDataType() == type ? inputs.get(0) : inputs.get(0).toType(type, false);
            long batch = x.getShape().get(0);
            NDArray t = inputs.get(1).getShape().size() == 1 && batch > 1 ? inputs.get(1).broadcast(batch) : inputs.get(1);
            NDArray projected = time.project(t);
            NDArray emb = time.embed(projected.getDataType() == type ? projected : projected.toType(type, false));
            if (added != null) {
                emb = emb.add(added.forward(new AddedConditions(inputs.get(2), inputs.get(3)), type));
            }
            return List.of(emb, convIn.forward(x));
        }, added != null ? new int[] {sampleId, timestepsId, textEmbedsId, timeIdsId} : new int[] {sampleId, timestepsId});
        int emb = prologue[0];
        int x = prologue[1];
        long factor = 1L << upsamplers;
        boolean forwardSize = sample.getShape().get(2) % factor != 0 || sample.getShape().get(3) % factor != 0;

        List<Integer> skips = new ArrayList<>();
        skips.add(x);
        for (DownBlock block : downBlocks) {
            int[] outputs = chain.run(inputs -> {
                List<NDArray> appended = new ArrayList<>();
                NDArray out = block.forward(inputs.get(0), inputs.get(1), kernels.cast(inputs.get(2), type), appended);
                List<NDArray> all = new ArrayList<>();
                all.add(out);
                all.addAll(appended);
                return all;
            }, x, emb, contextId);
            x = outputs[0];
            for (int i = 1; i < outputs.length; i++) {
                skips.add(outputs[i]);
            }
        }
        x = chain.run(inputs -> List.of(midBlock.forward(inputs.get(0), inputs.get(1), kernels.cast(inputs.get(2), type))),
                x, emb, contextId)[0];
        for (int i = 0; i < upBlocks.size(); i++) {
            UpBlock block = upBlocks.get(i);
            boolean last = i == upBlocks.size() - 1;
            long[] size = null;
            if (!last && forwardSize) {
                NDArray next = chain.value(skips.get(skips.size() - 1 - block.layers()));
                size = new long[] {next.getShape().get(2), next.getShape().get(3)};
            }
            long[] upsampleSize = size;
            int[] inputs = new int[3 + block.layers()];
            inputs[0] = x;
            inputs[1] = emb;
            inputs[2] = contextId;
            // The block pops its skips from the end: hand it the last layers() in their order.
            int first = skips.size() - block.layers();
            for (int k = 0; k < block.layers(); k++) {
                inputs[3 + k] = skips.remove(first);
            }
            x = chain.run(values -> {
                List<NDArray> consumed = new ArrayList<>(values.subList(3, values.size()));
                return List.of(block.forward(values.get(0), values.get(1), kernels.cast(values.get(2), type), consumed,
                        upsampleSize));
            }, inputs)[0];
        }
        int output = chain.run(inputs -> List.of(convOut.forward(Activations.SILU.apply(convNormOut.forward(inputs.get(0))))),
                x)[0];
        return new CheckpointedForward(chain, output, contextId, textEmbedsId);
    }

    /** The result of {@link #forwardCheckpointed}: the output, and the backward through the kept chain. */
    public static final class CheckpointedForward implements AutoCloseable {

        /** The gradients of the UNet's differentiable inputs; {@code textEmbeds} is null without added conditions. */
        public record InputGradients(NDArray context, NDArray textEmbeds) {}

        private final GradientCheckpoints chain;
        private final int output;
        private final int context;
        private final int textEmbeds;

        private CheckpointedForward(GradientCheckpoints chain, int output, int context, int textEmbeds) {
            this.chain = chain;
            this.output = output;
            this.context = context;
            this.textEmbeds = textEmbeds;
        }

        /** The UNet's output, without autograd history. */
        public NDArray output() {
            return chain.value(output);
        }

        /** The gradients that {@code outputGradient} (d loss / d output) gives the inputs, inside {@code collector}. */
        public InputGradients backward(GradientCollector collector, NDArray outputGradient) {
            List<NDArray> gradients = textEmbeds >= 0
                    ? chain.backward(collector, output, outputGradient, context, textEmbeds)
                    : chain.backward(collector, output, outputGradient, context);
            return new InputGradients(gradients.get(0), textEmbeds >= 0 ? gradients.get(1) : null);
        }

        @Override
        public void close() {
            chain.close();
        }
    }

    private DataType convOutType() {
        return convOut.dataType();
    }
}

package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * diffusers' {@code UNet2DConditionModel} config ({@code unet/config.json}). Keys that may be a number or
 * a per-block list are read as lists; {@link #perBlock} expands a single value to every block.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UNetConfig(
        @JsonProperty("_class_name") String className,
        Integer sampleSize,
        Integer inChannels,
        Integer outChannels,
        Boolean centerInputSample,
        Boolean flipSinToCos,
        Integer freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Boolean> onlyCrossAttention,
        List<Integer> blockOutChannels,
        List<Integer> layersPerBlock,
        Integer downsamplePadding,
        Double midBlockScaleFactor,
        Double dropout,
        String actFn,
        Integer normNumGroups,
        Double normEps,
        List<Integer> crossAttentionDim,
        List<Integer> transformerLayersPerBlock,
        List<Integer> reverseTransformerLayersPerBlock,
        Integer encoderHidDim,
        String encoderHidDimType,
        List<Integer> attentionHeadDim,
        List<Integer> numAttentionHeads,
        Boolean dualCrossAttention,
        Boolean useLinearProjection,
        String classEmbedType,
        String additionEmbedType,
        Integer additionTimeEmbedDim,
        Integer numClassEmbeds,
        Boolean upcastAttention,
        String resnetTimeScaleShift,
        Boolean resnetSkipTimeAct,
        Double resnetOutScaleFactor,
        String timeEmbeddingType,
        Integer timeEmbeddingDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        Integer timeCondProjDim,
        Integer convInKernel,
        Integer convOutKernel,
        Integer projectionClassEmbeddingsInputDim,
        String attentionType,
        Boolean classEmbeddingsConcat,
        Boolean midBlockOnlyCrossAttention,
        String crossAttentionNorm) {

    public static final Set<String> DOWN_BLOCKS = Set.of("CrossAttnDownBlock2D", "DownBlock2D");
    public static final Set<String> UP_BLOCKS = Set.of("CrossAttnUpBlock2D", "UpBlock2D");

    public UNetConfig {
        className = className == null ? "UNet2DConditionModel" : className;
        sampleSize = sampleSize == null ? 64 : sampleSize;
        inChannels = inChannels == null ? 4 : inChannels;
        outChannels = outChannels == null ? 4 : outChannels;
        centerInputSample = centerInputSample != null && centerInputSample;
        flipSinToCos = flipSinToCos == null || flipSinToCos;
        freqShift = freqShift == null ? 0 : freqShift;
        downBlockTypes = copy(downBlockTypes,
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        midBlockType = midBlockType == null ? "UNetMidBlock2DCrossAttn" : midBlockType;
        upBlockTypes = copy(upBlockTypes,
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        onlyCrossAttention = copy(onlyCrossAttention, List.of(false));
        blockOutChannels = copy(blockOutChannels, List.of(320, 640, 1280, 1280));
        layersPerBlock = copy(layersPerBlock, List.of(2));
        downsamplePadding = downsamplePadding == null ? 1 : downsamplePadding;
        midBlockScaleFactor = midBlockScaleFactor == null ? 1.0 : midBlockScaleFactor;
        dropout = dropout == null ? 0.0 : dropout;
        actFn = actFn == null ? "silu" : actFn;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        normEps = normEps == null ? 1e-5 : normEps;
        crossAttentionDim = copy(crossAttentionDim, List.of(1280));
        transformerLayersPerBlock = copy(transformerLayersPerBlock, List.of(1));
        attentionHeadDim = copy(attentionHeadDim, List.of(8));
        dualCrossAttention = dualCrossAttention != null && dualCrossAttention;
        useLinearProjection = useLinearProjection != null && useLinearProjection;
        upcastAttention = upcastAttention != null && upcastAttention;
        resnetTimeScaleShift = resnetTimeScaleShift == null ? "default" : resnetTimeScaleShift;
        resnetSkipTimeAct = resnetSkipTimeAct != null && resnetSkipTimeAct;
        resnetOutScaleFactor = resnetOutScaleFactor == null ? 1.0 : resnetOutScaleFactor;
        timeEmbeddingType = timeEmbeddingType == null ? "positional" : timeEmbeddingType;
        convInKernel = convInKernel == null ? 3 : convInKernel;
        convOutKernel = convOutKernel == null ? 3 : convOutKernel;
        attentionType = attentionType == null ? "default" : attentionType;
        classEmbeddingsConcat = classEmbeddingsConcat != null && classEmbeddingsConcat;
    }

    private static <T> List<T> copy(List<T> value, List<T> fallback) {
        return value == null ? fallback : Collections.unmodifiableList(new ArrayList<>(value));
    }

    /** A number-or-list key expanded to one value per down block (diffusers' own rule). */
    public static <T> List<T> perBlock(List<T> values, int blocks) {
        return values.size() == 1 ? Collections.nCopies(blocks, values.get(0)) : values;
    }

    public int blockCount() {
        return blockOutChannels.size();
    }

    /** Heads per down block: diffusers reads {@code attention_head_dim} as the head count. */
    public List<Integer> headsPerBlock() {
        return perBlock(attentionHeadDim, blockCount());
    }

    /**
     * SDXL's added conditioning ({@code addition_embed_type: text_time}): the pooled text embedding and six
     * time ids (original size, crop corner, target size) are embedded and added to the timestep embedding.
     */
    public boolean textTimeConditioning() {
        return "text_time".equals(additionEmbedType);
    }

    /** The width of the pooled text embedding the added conditioning expects (SDXL base: 1280). */
    public int pooledWidth() {
        return projectionClassEmbeddingsInputDim - 6 * additionTimeEmbedDim;
    }

    public UNetConfig validate(String file) {
        int blocks = blockCount();
        ConfigCheck check = new ConfigCheck(file)
                .oneOf("_class_name", className, "UNet2DConditionModel")
                .oneOf("center_input_sample", centerInputSample, false)
                .require(downBlockTypes.size() == blocks && DOWN_BLOCKS.containsAll(downBlockTypes),
                        "down_block_types", downBlockTypes, "one of " + DOWN_BLOCKS + " per block_out_channels entry")
                .require(upBlockTypes.size() == blocks && UP_BLOCKS.containsAll(upBlockTypes),
                        "up_block_types", upBlockTypes, "one of " + UP_BLOCKS + " per block_out_channels entry")
                .oneOf("mid_block_type", midBlockType, "UNetMidBlock2DCrossAttn")
                .require(onlyCrossAttention.stream().noneMatch(Boolean::booleanValue), "only_cross_attention",
                        onlyCrossAttention, "false")
                .oneOf("act_fn", actFn, "silu")
                .require(normNumGroups != null, "norm_num_groups", null, "a number")
                .oneOf("reverse_transformer_layers_per_block", reverseTransformerLayersPerBlock, (Object) null)
                .oneOf("encoder_hid_dim", encoderHidDim, (Object) null)
                .oneOf("encoder_hid_dim_type", encoderHidDimType, (Object) null)
                .oneOf("num_attention_heads", numAttentionHeads, (Object) null)
                .oneOf("dual_cross_attention", dualCrossAttention, false)
                .oneOf("class_embed_type", classEmbedType, (Object) null)
                .oneOf("addition_embed_type", additionEmbedType, null, "text_time")
                .require(textTimeConditioning() ? additionTimeEmbedDim != null && additionTimeEmbedDim > 0
                        && additionTimeEmbedDim % 2 == 0 : additionTimeEmbedDim == null, "addition_time_embed_dim",
                        additionTimeEmbedDim, "an even number with addition_embed_type \"text_time\", else null")
                .oneOf("num_class_embeds", numClassEmbeds, (Object) null)
                .oneOf("resnet_time_scale_shift", resnetTimeScaleShift, "default")
                .oneOf("resnet_skip_time_act", resnetSkipTimeAct, false)
                .oneOf("resnet_out_scale_factor", resnetOutScaleFactor, 1.0)
                .oneOf("time_embedding_type", timeEmbeddingType, "positional")
                .oneOf("time_embedding_dim", timeEmbeddingDim, (Object) null)
                .oneOf("time_embedding_act_fn", timeEmbeddingActFn, (Object) null)
                .oneOf("timestep_post_act", timestepPostAct, (Object) null)
                .oneOf("time_cond_proj_dim", timeCondProjDim, (Object) null)
                .require(textTimeConditioning() ? projectionClassEmbeddingsInputDim != null
                        && additionTimeEmbedDim != null && projectionClassEmbeddingsInputDim > 6 * additionTimeEmbedDim
                        : projectionClassEmbeddingsInputDim == null, "projection_class_embeddings_input_dim",
                        projectionClassEmbeddingsInputDim,
                        "6·addition_time_embed_dim + the pooled width with \"text_time\", else null")
                .oneOf("attention_type", attentionType, "default")
                .oneOf("class_embeddings_concat", classEmbeddingsConcat, false)
                .require(midBlockOnlyCrossAttention == null || !midBlockOnlyCrossAttention,
                        "mid_block_only_cross_attention", midBlockOnlyCrossAttention, "null or false")
                .oneOf("cross_attention_norm", crossAttentionNorm, (Object) null)
                .require(convInKernel % 2 == 1 && convOutKernel % 2 == 1, "conv_in_kernel/conv_out_kernel",
                        convInKernel + "/" + convOutKernel, "odd kernel sizes")
                .require(sizeFits(layersPerBlock, blocks), "layers_per_block", layersPerBlock,
                        "a number or one per block")
                .require(sizeFits(crossAttentionDim, blocks), "cross_attention_dim", crossAttentionDim,
                        "a number or one per block")
                .require(sizeFits(transformerLayersPerBlock, blocks), "transformer_layers_per_block",
                        transformerLayersPerBlock, "a number or one per block")
                .require(sizeFits(attentionHeadDim, blocks), "attention_head_dim", attentionHeadDim,
                        "a number or one per block");
        if (normNumGroups != null) {
            for (int channels : blockOutChannels) {
                check.require(channels % normNumGroups == 0, "block_out_channels", blockOutChannels,
                        "multiples of norm_num_groups " + normNumGroups);
            }
        }
        if (sizeFits(attentionHeadDim, blocks) && blockOutChannels.size() == blocks) {
            List<Integer> heads = headsPerBlock();
            for (int i = 0; i < blocks; i++) {
                check.require(heads.get(i) > 0 && blockOutChannels.get(i) % heads.get(i) == 0, "attention_head_dim",
                        attentionHeadDim, "head counts dividing block_out_channels");
            }
        }
        check.throwIfAny();
        return this;
    }

    private static boolean sizeFits(List<?> values, int blocks) {
        return values.size() == 1 || values.size() == blocks;
    }
}

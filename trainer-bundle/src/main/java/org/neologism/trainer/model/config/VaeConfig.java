package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** diffusers' {@code AutoencoderKL} config ({@code vae/config.json}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VaeConfig(
        @JsonProperty("_class_name") String className,
        Integer inChannels,
        Integer outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        Integer layersPerBlock,
        String actFn,
        Integer latentChannels,
        Integer normNumGroups,
        Integer sampleSize,
        Double scalingFactor,
        Double shiftFactor,
        List<Double> latentsMean,
        List<Double> latentsStd,
        Boolean forceUpcast,
        Boolean useQuantConv,
        Boolean usePostQuantConv,
        Boolean midBlockAddAttention) {

    public VaeConfig {
        className = className == null ? "AutoencoderKL" : className;
        inChannels = inChannels == null ? 3 : inChannels;
        outChannels = outChannels == null ? 3 : outChannels;
        downBlockTypes = downBlockTypes == null ? List.of("DownEncoderBlock2D") : List.copyOf(downBlockTypes);
        upBlockTypes = upBlockTypes == null ? List.of("UpDecoderBlock2D") : List.copyOf(upBlockTypes);
        blockOutChannels = blockOutChannels == null ? List.of(64) : List.copyOf(blockOutChannels);
        layersPerBlock = layersPerBlock == null ? 1 : layersPerBlock;
        actFn = actFn == null ? "silu" : actFn;
        latentChannels = latentChannels == null ? 4 : latentChannels;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        sampleSize = sampleSize == null ? 32 : sampleSize;
        scalingFactor = scalingFactor == null ? 0.18215 : scalingFactor;
        forceUpcast = forceUpcast == null || forceUpcast;
        useQuantConv = useQuantConv == null || useQuantConv;
        usePostQuantConv = usePostQuantConv == null || usePostQuantConv;
        midBlockAddAttention = midBlockAddAttention == null || midBlockAddAttention;
    }

    /** diffusers' {@code vae_scale_factor}, 2^(blocks − 1): image pixels per latent along a side. */
    public int scaleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    public VaeConfig validate(String file) {
        int blocks = blockOutChannels.size();
        ConfigCheck check = new ConfigCheck(file)
                .oneOf("_class_name", className, "AutoencoderKL")
                .oneOf("act_fn", actFn, "silu")
                .require(downBlockTypes.stream().allMatch("DownEncoderBlock2D"::equals) && downBlockTypes.size() == blocks,
                        "down_block_types", downBlockTypes, "one DownEncoderBlock2D per block_out_channels entry")
                .require(upBlockTypes.stream().allMatch("UpDecoderBlock2D"::equals) && upBlockTypes.size() == blocks,
                        "up_block_types", upBlockTypes, "one UpDecoderBlock2D per block_out_channels entry")
                .oneOf("shift_factor", shiftFactor, (Object) null)
                .oneOf("latents_mean", latentsMean, (Object) null)
                .oneOf("latents_std", latentsStd, (Object) null)
                .oneOf("use_quant_conv", useQuantConv, true)
                .oneOf("use_post_quant_conv", usePostQuantConv, true)
                .oneOf("mid_block_add_attention", midBlockAddAttention, true)
                .require(layersPerBlock > 0, "layers_per_block", layersPerBlock, "a positive number");
        for (int channels : blockOutChannels) {
            check.require(channels % normNumGroups == 0, "block_out_channels", blockOutChannels,
                    "multiples of norm_num_groups " + normNumGroups);
        }
        check.throwIfAny();
        return this;
    }
}

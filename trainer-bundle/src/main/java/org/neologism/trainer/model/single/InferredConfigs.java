package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.SchedulerConfig;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.core.root.CheckpointFamily;

/**
 * The diffusers configs of a single file's networks, from its keys and shapes (the fixtures README's
 * "from the keys alone"), with what no shape tells — head counts, GroupNorm groups, upcast attention,
 * activation, VAE scaling factor, sample size — taken from the standard models of the family, unless an
 * {@link LdmConfig} says otherwise.
 */
public final class InferredConfigs {

    private static final String U = UNetKeys.PREFIX;
    private static final Pattern TRANSFORMER_BLOCK = Pattern.compile("\\.1\\.transformer_blocks\\.(\\d+)\\.");
    /** Stable Diffusion's DDPM schedule, the same in every family (v1/v2-inference.yaml, sd_xl_base.yaml). */
    private static final double BETA_START = 0.00085;
    private static final double BETA_END = 0.012;

    private final OriginalCheckpoint file;
    private final CheckpointFamily family;
    private final LdmConfig yaml;
    /** Sizes no standard model has, where an assumed value (heads, groups) would be a guess. */
    private final List<String> guesses = new ArrayList<>();

    private InferredConfigs(OriginalCheckpoint file, CheckpointFamily family, LdmConfig yaml) {
        this.file = file;
        this.family = family;
        this.yaml = yaml;
    }

    public static InferredConfigs of(OriginalCheckpoint file, OriginalLayout layout, LdmConfig yaml) {
        return new InferredConfigs(file, layout.family(), yaml);
    }

    private long[] shape(String key) {
        long[] shape = file.shape(key);
        if (shape == null) {
            throw new UnsupportedModelException(file.path() + " has no " + key + ": the " + family.label()
                    + " checkpoint is incomplete or damaged.");
        }
        return shape;
    }

    private int dim(String key, int index) {
        return Math.toIntExact(shape(key)[index]);
    }

    private boolean has(String key) {
        return file.has(key);
    }

    public UNetConfig unet(String predictionType) {
        Set<String> keys = file.tensors().keySet();
        int layers = UNetKeys.layersPerBlock(keys);
        int levels = 1;
        while (has(U + "input_blocks." + (levels * (layers + 1)) + ".0.op.weight")) {
            levels++;
        }
        List<Integer> channels = new ArrayList<>();
        List<String> down = new ArrayList<>();
        List<String> up = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        Integer crossAttention = null;
        boolean linear = false;
        for (int i = 0; i < levels; i++) {
            String first = U + "input_blocks." + (1 + i * (layers + 1));
            channels.add(dim(first + ".0.out_layers.3.weight", 0));
            boolean attention = has(first + ".1.proj_in.weight");
            down.add(attention ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(has(U + "output_blocks." + (i * (layers + 1)) + ".1.proj_in.weight")
                    ? "CrossAttnUpBlock2D" : "UpBlock2D");
            depth.add(attention ? transformerDepth(keys, first) : 1);
            if (attention && crossAttention == null) {
                linear = shape(first + ".1.proj_in.weight").length == 2;
                crossAttention = dim(first + ".1.transformer_blocks.0.attn2.to_k.weight", 1);
            }
        }
        if (crossAttention == null) {
            throw new UnsupportedModelException(file.path() + ": the UNet has no cross-attention, so no text can"
                    + " condition it; this is no text-to-image Stable Diffusion model.");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("sample_size", sampleSize(predictionType));
        config.put("in_channels", dim(OriginalLayout.UNET_IN, 1));
        config.put("out_channels", dim(U + "out.2.weight", 0));
        config.put("down_block_types", down);
        config.put("up_block_types", up);
        config.put("block_out_channels", channels);
        config.put("layers_per_block", layers);
        config.put("cross_attention_dim", crossAttention);
        config.put("transformer_layers_per_block", depth.stream().distinct().count() == 1 ? List.of(depth.get(0)) : depth);
        config.put("use_linear_projection", linear);
        config.put("attention_head_dim", heads(channels));
        config.put("norm_num_groups", 32);
        // Stable Diffusion 2.1's attention overflows in fp16 without it; computing in fp32 never hurts the others.
        config.put("upcast_attention", family == CheckpointFamily.SD2);
        if (has(U + "label_emb.0.0.weight")) {
            int adm = dim(U + "label_emb.0.0.weight", 1);
            int pooled = dim(TextEncoderKeys.SDXL_OPEN_CLIP + "text_projection", 1);
            config.put("addition_embed_type", "text_time");
            config.put("projection_class_embeddings_input_dim", adm);
            // text_time: the pooled text (projection width) plus six Fourier-embedded size/crop numbers.
            config.put("addition_time_embed_dim", (adm - pooled) / 6);
        }
        return ConfigFiles.mapper().convertValue(config, UNetConfig.class);
    }

    private static int transformerDepth(Set<String> keys, String first) {
        Set<Integer> blocks = new TreeSet<>();
        for (String key : keys) {
            if (key.startsWith(first + ".1.transformer_blocks.")) {
                Matcher m = TRANSFORMER_BLOCK.matcher(key.substring(first.length()));
                if (m.lookingAt()) {
                    blocks.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        return blocks.size();
    }

    /** Heads per level: SD 1.x has 8 everywhere; SD 2.x and SDXL have 64-wide heads. */
    private List<Integer> heads(List<Integer> channels) {
        List<Integer> heads = new ArrayList<>();
        for (int c : channels) {
            int count;
            if (yaml != null && yaml.unetHeads().isPresent()) {
                count = yaml.unetHeads().getAsInt();
            } else if (yaml != null && yaml.unetHeadChannels().isPresent()) {
                count = c / yaml.unetHeadChannels().getAsInt();
            } else {
                count = family == CheckpointFamily.SD1 ? 8 : c / 64;
            }
            if (count < 1 || c % count != 0) {
                guesses.add("UNet level of " + c + " channels: its attention head count");
                count = 1;
            }
            heads.add(count);
        }
        return heads.stream().distinct().count() == 1 ? List.of(heads.get(0)) : heads;
    }

    private int sampleSize(String predictionType) {
        return switch (family) {
            case SD1 -> 64;
            case SD2 -> "v_prediction".equals(predictionType) ? 96 : 64;
            case SDXL -> 128;
        };
    }

    public VaeConfig vae(String predictionType) {
        String p = VaeKeys.prefix(file.tensors().keySet());
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; has(p + "encoder.down." + i + ".block.0.conv2.weight"); i++) {
            channels.add(dim(p + "encoder.down." + i + ".block.0.conv2.weight", 0));
        }
        int layers = 0;
        while (has(p + "encoder.down.0.block." + layers + ".conv1.weight")) {
            layers++;
        }
        int groups = 32;
        for (int c : channels) {
            if (c % 32 != 0) {
                guesses.add("VAE level of " + c + " channels: its GroupNorm groups");
                groups = gcd(groups, c);
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("in_channels", dim(p + "encoder.conv_in.weight", 1));
        config.put("out_channels", dim(p + "decoder.conv_out.weight", 0));
        config.put("down_block_types", java.util.Collections.nCopies(channels.size(), "DownEncoderBlock2D"));
        config.put("up_block_types", java.util.Collections.nCopies(channels.size(), "UpDecoderBlock2D"));
        config.put("block_out_channels", channels);
        config.put("layers_per_block", layers);
        config.put("latent_channels", dim(p + "post_quant_conv.weight", 1));
        config.put("norm_num_groups", groups);
        config.put("sample_size", 8 * sampleSize(predictionType));
        double standardFactor = family == CheckpointFamily.SDXL ? 0.13025 : 0.18215;
        config.put("scaling_factor", yaml != null && yaml.scaleFactor().isPresent()
                ? yaml.scaleFactor().getAsDouble() : standardFactor);
        return ConfigFiles.mapper().convertValue(config, VaeConfig.class);
    }

    /** {@code text_encoder}: CLIP ViT-L (SD 1.x, SDXL) or OpenCLIP ViT-H without its last block (SD 2.x). */
    public TextEncoderConfig textEncoder() {
        return switch (family) {
            case SD1 -> clip(TextEncoderKeys.SD1_CLIP);
            case SD2 -> openClip(TextEncoderKeys.SD2_OPEN_CLIP, false);
            case SDXL -> clip(TextEncoderKeys.SDXL_CLIP);
        };
    }

    /** SDXL's {@code text_encoder_2}: OpenCLIP ViT-bigG with its projection. */
    public TextEncoderConfig textEncoder2() {
        if (family != CheckpointFamily.SDXL) {
            throw new IllegalStateException(family.label() + " has one text encoder");
        }
        return openClip(TextEncoderKeys.SDXL_OPEN_CLIP, true);
    }

    private TextEncoderConfig clip(String prefix) {
        String t = prefix + "text_model.";
        int layers = 0;
        while (has(t + "encoder.layers." + layers + ".mlp.fc1.weight")) {
            layers++;
        }
        int width = dim(t + "embeddings.token_embedding.weight", 1);
        return text(List.of("CLIPTextModel"), dim(t + "embeddings.token_embedding.weight", 0), width,
                dim(t + "encoder.layers.0.mlp.fc1.weight", 0), layers,
                dim(t + "embeddings.position_embedding.weight", 0), "quick_gelu", null);
    }

    private TextEncoderConfig openClip(String prefix, boolean projection) {
        int blocks = TextEncoderKeys.openClipBlocks(file.tensors().keySet(), prefix);
        int width = dim(prefix + "token_embedding.weight", 1);
        return text(List.of(projection ? "CLIPTextModelWithProjection" : "CLIPTextModel"),
                dim(prefix + "token_embedding.weight", 0), width,
                dim(prefix + "transformer.resblocks.0.mlp.c_fc.weight", 0), projection ? blocks : blocks - 1,
                dim(prefix + "positional_embedding", 0), "gelu",
                has(prefix + "text_projection") ? dim(prefix + "text_projection", 1) : null);
    }

    private TextEncoderConfig text(List<String> architectures, int vocab, int width, int intermediate, int layers,
            int positions, String activation, Integer projection) {
        int heads = width / 64;
        if (heads < 1 || width % 64 != 0) {
            guesses.add("text encoder of width " + width + ": its attention head count");
            heads = 1;
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", architectures);
        config.put("vocab_size", vocab);
        config.put("hidden_size", width);
        config.put("intermediate_size", intermediate);
        config.put("num_hidden_layers", layers);
        config.put("num_attention_heads", heads);
        config.put("max_position_embeddings", positions);
        config.put("hidden_act", activation);
        // As openai/clip-vit-large-patch14 and the SD 2.x / SDXL text encoder configs ship them.
        config.put("bos_token_id", 0);
        config.put("eos_token_id", 2);
        config.put("pad_token_id", 1);
        if (projection != null) {
            config.put("projection_dim", projection);
        }
        return ConfigFiles.mapper().convertValue(config, TextEncoderConfig.class);
    }

    /** DDPM scaled_linear 0.00085…0.012 over 1000 steps unless the YAML says otherwise. */
    public SchedulerConfig scheduler(String predictionType) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "DDPMScheduler");
        config.put("num_train_timesteps", yaml != null && yaml.timesteps().isPresent() ? yaml.timesteps().getAsInt() : 1000);
        config.put("beta_start", yaml != null && yaml.linearStart().isPresent() ? yaml.linearStart().getAsDouble() : BETA_START);
        config.put("beta_end", yaml != null && yaml.linearEnd().isPresent() ? yaml.linearEnd().getAsDouble() : BETA_END);
        config.put("beta_schedule", "scaled_linear");
        config.put("prediction_type", predictionType);
        return ConfigFiles.mapper().convertValue(config, SchedulerConfig.class);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Throws when a config above holds a guess: the file's sizes are no standard model's, so its head counts
     * or groups must be given.
     */
    public void requireStandardSizes() {
        if (!guesses.isEmpty()) {
            throw new UnsupportedModelException(file.path() + " is not a standard " + family.label() + " size ("
                    + String.join("; ", guesses) + " cannot be assumed). Give --original_config with a diffusers"
                    + " folder whose config.json files describe it (or the model's LDM YAML when only the UNet is"
                    + " unusual).");
        }
    }
}

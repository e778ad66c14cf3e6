package org.neologism.trainer.model.create;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model shapes {@code ti:model create} can write: the three tiny parity architectures of the fixtures and
 * the real Stable Diffusion 1.5, 2.1 (768, v-prediction) and SDXL base 1.0. Configs are written as diffusers /
 * transformers write them (scalars where they use scalars).
 */
public enum Architecture {
    TINY_SD1("tiny-sd1"),
    TINY_SD2("tiny-sd2"),
    TINY_SDXL("tiny-sdxl"),
    SD15("sd15"),
    SD21("sd21"),
    SDXL("sdxl");

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Architecture of(String id) {
        for (Architecture a : values()) {
            if (a.id.equals(id.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("--arch " + id + " is not known; use one of " + ids());
    }

    /** Every id, for messages: "tiny-sd1, tiny-sd2, ...". */
    public static String ids() {
        return String.join(", ", java.util.Arrays.stream(values()).map(Architecture::id).toList());
    }

    private boolean tiny() {
        return this == TINY_SD1 || this == TINY_SD2 || this == TINY_SDXL;
    }

    /** Stable Diffusion XL: two text encoders, tokenizer_2, the UNet's text_time conditioning. */
    public boolean sdxl() {
        return this == TINY_SDXL || this == SDXL;
    }

    private boolean sd2() {
        return this == TINY_SD2 || this == SD21;
    }

    /** Tokens in the vocabulary (and rows of the embedding table). */
    public int vocabSize() {
        return tiny() ? 1000 : 49408;
    }

    /** The tokenizer's pad token: SD 2.x pads with "!" (id 0), SD 1.x (and SDXL's first tokenizer) with the end token. */
    public String padToken() {
        return sd2() ? "!" : ClipVocabulary.END;
    }

    /** SDXL's tokenizer_2 pads with "!" (id 0); null without a second tokenizer. */
    public String padToken2() {
        return sdxl() ? "!" : null;
    }

    public Map<String, Object> textEncoderConfig() {
        if (sdxl()) {
            return this == SDXL ? clipConfig("CLIPTextModel", 0, 2, 1, "quick_gelu", 768, 3072, 12, 12, 768)
                    : clipConfig("CLIPTextModel", 998, 999, 999, "quick_gelu", 32, 37, 4, 4, 32);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("CLIPTextModel"));
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", vocabSize() - 2);
        c.put("eos_token_id", vocabSize() - 1);
        c.put("hidden_act", sd2() ? "gelu" : "quick_gelu");
        c.put("hidden_size", tiny() ? 32 : sd2() ? 1024 : 768);
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", switch (this) {
            case TINY_SD1 -> 37;
            case TINY_SD2 -> 64;
            case SD15 -> 3072;
            default -> 4096;
        });
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", 77);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", switch (this) {
            case TINY_SD1 -> 4;
            case TINY_SD2 -> 2;
            case SD15 -> 12;
            default -> 16;
        });
        c.put("num_hidden_layers", switch (this) {
            case TINY_SD1 -> 5;
            case TINY_SD2 -> 4;
            case SD15 -> 12;
            default -> 23;
        });
        c.put("pad_token_id", sd2() ? 0 : vocabSize() - 1);
        c.put("projection_dim", tiny() ? 32 : sd2() ? 512 : 768);
        c.put("torch_dtype", "float32");
        c.put("vocab_size", vocabSize());
        return c;
    }

    /**
     * SDXL's {@code text_encoder_2/config.json} (OpenCLIP ViT-bigG as CLIPTextModelWithProjection, eos 2 as
     * stabilityai ships it); null for the one-encoder architectures.
     */
    public Map<String, Object> textEncoder2Config() {
        if (!sdxl()) {
            return null;
        }
        return this == SDXL ? clipConfig("CLIPTextModelWithProjection", 0, 2, 1, "gelu", 1280, 5120, 32, 20, 1280)
                : clipConfig("CLIPTextModelWithProjection", 0, 2, 1, "gelu", 48, 80, 3, 4, 40);
    }

    private Map<String, Object> clipConfig(String architecture, int bos, int eos, int pad, String activation, int hidden,
            int intermediate, int layers, int heads, int projection) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(architecture));
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", bos);
        c.put("dropout", 0.0);
        c.put("eos_token_id", eos);
        c.put("hidden_act", activation);
        c.put("hidden_size", hidden);
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", intermediate);
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", 77);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", heads);
        c.put("num_hidden_layers", layers);
        c.put("pad_token_id", pad);
        c.put("projection_dim", projection);
        c.put("torch_dtype", "float32");
        c.put("vocab_size", vocabSize());
        return c;
    }

    /** SDXL's UNet: text_time conditioning, per-block transformer depths, linear projections. */
    private Map<String, Object> sdxlUnetConfig() {
        boolean real = this == SDXL;
        Map<String, Object> c = diffusersHeader("UNet2DConditionModel");
        c.put("act_fn", "silu");
        c.put("addition_embed_type", "text_time");
        c.put("addition_embed_type_num_heads", 64);
        c.put("addition_time_embed_dim", real ? 256 : 8);
        c.put("attention_head_dim", real ? List.of(5, 10, 20) : List.of(1, 2, 4));
        c.put("block_out_channels", real ? List.of(320, 640, 1280) : List.of(16, 32, 32));
        c.put("center_input_sample", false);
        c.put("cross_attention_dim", real ? 2048 : 80);
        c.put("down_block_types", List.of("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"));
        c.put("downsample_padding", 1);
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0);
        c.put("in_channels", 4);
        c.put("layers_per_block", real ? 2 : 1);
        c.put("mid_block_scale_factor", 1);
        c.put("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.put("norm_eps", 1e-5);
        c.put("norm_num_groups", real ? 32 : 8);
        c.put("out_channels", 4);
        c.put("projection_class_embeddings_input_dim", real ? 2816 : 88);
        c.put("sample_size", real ? 128 : 16);
        c.put("transformer_layers_per_block", real ? List.of(1, 2, 10) : List.of(1, 1, 2));
        c.put("up_block_types", List.of("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"));
        c.put("upcast_attention", false);
        c.put("use_linear_projection", true);
        return c;
    }

    public Map<String, Object> unetConfig() {
        if (sdxl()) {
            return sdxlUnetConfig();
        }
        Map<String, Object> c = diffusersHeader("UNet2DConditionModel");
        c.put("act_fn", "silu");
        c.put("attention_head_dim", switch (this) {
            case TINY_SD1 -> 8;
            case TINY_SD2 -> List.of(2, 4, 4);
            case SD15 -> 8;
            default -> List.of(5, 10, 20, 20);
        });
        List<Integer> channels = switch (this) {
            case TINY_SD1 -> List.of(32, 64);
            case TINY_SD2 -> List.of(32, 64, 64);
            default -> List.of(320, 640, 1280, 1280);
        };
        c.put("block_out_channels", channels);
        c.put("center_input_sample", false);
        c.put("cross_attention_dim", tiny() ? 32 : sd2() ? 1024 : 768);
        List<String> down = new java.util.ArrayList<>();
        List<String> up = new java.util.ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            boolean last = i == channels.size() - 1;
            down.add(last ? "DownBlock2D" : "CrossAttnDownBlock2D");
            up.add(i == 0 ? "UpBlock2D" : "CrossAttnUpBlock2D");
        }
        c.put("down_block_types", down);
        c.put("downsample_padding", 1);
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0);
        c.put("in_channels", 4);
        c.put("layers_per_block", this == TINY_SD2 ? 1 : 2);
        c.put("mid_block_scale_factor", 1);
        c.put("norm_eps", 1e-5);
        c.put("norm_num_groups", switch (this) {
            case TINY_SD1 -> 8;
            case TINY_SD2 -> 16;
            default -> 32;
        });
        c.put("out_channels", 4);
        c.put("sample_size", tiny() ? 32 : sd2() ? 96 : 64);
        c.put("up_block_types", up);
        c.put("upcast_attention", sd2());
        c.put("use_linear_projection", sd2());
        return c;
    }

    public Map<String, Object> vaeConfig() {
        Map<String, Object> c = diffusersHeader("AutoencoderKL");
        List<Integer> channels = switch (this) {
            case TINY_SD1 -> List.of(32, 64);
            case TINY_SD2 -> List.of(32, 32, 64);
            case TINY_SDXL -> List.of(16, 32);
            default -> List.of(128, 256, 512, 512);
        };
        c.put("act_fn", "silu");
        c.put("block_out_channels", channels);
        c.put("down_block_types", java.util.Collections.nCopies(channels.size(), "DownEncoderBlock2D"));
        c.put("in_channels", 3);
        c.put("latent_channels", 4);
        c.put("layers_per_block", tiny() ? 1 : 2);
        c.put("norm_num_groups", switch (this) {
            case TINY_SD1, TINY_SDXL -> 8;
            case TINY_SD2 -> 16;
            default -> 32;
        });
        c.put("out_channels", 3);
        c.put("sample_size", this == TINY_SDXL ? 32 : tiny() ? 64 : this == SDXL ? 1024 : sd2() ? 768 : 512);
        // SDXL's latents are scaled by 0.13025 and its VAE overflows in fp16, so pipelines keep it in float32.
        c.put("scaling_factor", sdxl() ? 0.13025 : 0.18215);
        if (sdxl()) {
            c.put("force_upcast", true);
        }
        c.put("up_block_types", java.util.Collections.nCopies(channels.size(), "UpDecoderBlock2D"));
        return c;
    }

    public Map<String, Object> schedulerConfig() {
        if (sdxl()) {
            Map<String, Object> c = diffusersHeader("EulerDiscreteScheduler");
            c.put("beta_end", 0.012);
            c.put("beta_schedule", "scaled_linear");
            c.put("beta_start", 0.00085);
            c.put("clip_sample", false);
            c.put("interpolation_type", "linear");
            c.put("num_train_timesteps", 1000);
            c.put("prediction_type", "epsilon");
            c.put("sample_max_value", 1.0);
            c.put("set_alpha_to_one", false);
            c.put("skip_prk_steps", true);
            c.put("steps_offset", 1);
            c.put("timestep_spacing", "leading");
            c.put("trained_betas", null);
            c.put("use_karras_sigmas", false);
            return c;
        }
        Map<String, Object> c = diffusersHeader("DDPMScheduler");
        c.put("beta_end", 0.012);
        c.put("beta_schedule", "scaled_linear");
        c.put("beta_start", 0.00085);
        c.put("clip_sample", false);
        c.put("num_train_timesteps", 1000);
        c.put("prediction_type", sd2() ? "v_prediction" : "epsilon");
        c.put("steps_offset", 1);
        c.put("trained_betas", null);
        c.put("variance_type", "fixed_small");
        return c;
    }

    public Map<String, Object> modelIndex() {
        if (sdxl()) {
            Map<String, Object> c = diffusersHeader("StableDiffusionXLPipeline");
            c.put("feature_extractor", java.util.Arrays.asList(null, null));
            c.put("force_zeros_for_empty_prompt", true);
            c.put("image_encoder", java.util.Arrays.asList(null, null));
            c.put("scheduler", List.of("diffusers", "EulerDiscreteScheduler"));
            c.put("text_encoder", List.of("transformers", "CLIPTextModel"));
            c.put("text_encoder_2", List.of("transformers", "CLIPTextModelWithProjection"));
            c.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
            c.put("tokenizer_2", List.of("transformers", "CLIPTokenizer"));
            c.put("unet", List.of("diffusers", "UNet2DConditionModel"));
            c.put("vae", List.of("diffusers", "AutoencoderKL"));
            return c;
        }
        Map<String, Object> c = diffusersHeader("StableDiffusionPipeline");
        c.put("feature_extractor", java.util.Arrays.asList(null, null));
        c.put("requires_safety_checker", false);
        c.put("safety_checker", java.util.Arrays.asList(null, null));
        c.put("scheduler", List.of("diffusers", "DDPMScheduler"));
        c.put("text_encoder", List.of("transformers", "CLIPTextModel"));
        c.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
        c.put("unet", List.of("diffusers", "UNet2DConditionModel"));
        c.put("vae", List.of("diffusers", "AutoencoderKL"));
        return c;
    }

    private static Map<String, Object> diffusersHeader(String className) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", className);
        c.put("_diffusers_version", "0.25.1");
        return c;
    }
}

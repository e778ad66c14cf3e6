package org.neologism.trainer.model.create;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model shapes {@code ti:model create} can write: the two tiny parity architectures of the fixtures and
 * the real Stable Diffusion 1.5 and 2.1 (768, v-prediction). Configs are written as diffusers / transformers
 * write them (scalars where they use scalars).
 */
public enum Architecture {
    TINY_SD1("tiny-sd1"),
    TINY_SD2("tiny-sd2"),
    SD15("sd15"),
    SD21("sd21");

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
        throw new IllegalArgumentException("--arch " + id + " is not known; use one of tiny-sd1, tiny-sd2, sd15, sd21");
    }

    private boolean tiny() {
        return this == TINY_SD1 || this == TINY_SD2;
    }

    private boolean sd2() {
        return this == TINY_SD2 || this == SD21;
    }

    /** Tokens in the vocabulary (and rows of the embedding table). */
    public int vocabSize() {
        return tiny() ? 1000 : 49408;
    }

    /** The tokenizer's pad token: SD 2.x pads with "!" (id 0), SD 1.x with the end token. */
    public String padToken() {
        return sd2() ? "!" : ClipVocabulary.END;
    }

    public Map<String, Object> textEncoderConfig() {
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
            case SD21 -> 4096;
        });
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", 77);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", switch (this) {
            case TINY_SD1 -> 4;
            case TINY_SD2 -> 2;
            case SD15 -> 12;
            case SD21 -> 16;
        });
        c.put("num_hidden_layers", switch (this) {
            case TINY_SD1 -> 5;
            case TINY_SD2 -> 4;
            case SD15 -> 12;
            case SD21 -> 23;
        });
        c.put("pad_token_id", sd2() ? 0 : vocabSize() - 1);
        c.put("projection_dim", tiny() ? 32 : sd2() ? 512 : 768);
        c.put("torch_dtype", "float32");
        c.put("vocab_size", vocabSize());
        return c;
    }

    public Map<String, Object> unetConfig() {
        Map<String, Object> c = diffusersHeader("UNet2DConditionModel");
        c.put("act_fn", "silu");
        c.put("attention_head_dim", switch (this) {
            case TINY_SD1 -> 8;
            case TINY_SD2 -> List.of(2, 4, 4);
            case SD15 -> 8;
            case SD21 -> List.of(5, 10, 20, 20);
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
            default -> List.of(128, 256, 512, 512);
        };
        c.put("act_fn", "silu");
        c.put("block_out_channels", channels);
        c.put("down_block_types", java.util.Collections.nCopies(channels.size(), "DownEncoderBlock2D"));
        c.put("in_channels", 3);
        c.put("latent_channels", 4);
        c.put("layers_per_block", tiny() ? 1 : 2);
        c.put("norm_num_groups", switch (this) {
            case TINY_SD1 -> 8;
            case TINY_SD2 -> 16;
            default -> 32;
        });
        c.put("out_channels", 3);
        c.put("sample_size", tiny() ? 64 : sd2() ? 768 : 512);
        c.put("scaling_factor", 0.18215);
        c.put("up_block_types", java.util.Collections.nCopies(channels.size(), "UpDecoderBlock2D"));
        return c;
    }

    public Map<String, Object> schedulerConfig() {
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

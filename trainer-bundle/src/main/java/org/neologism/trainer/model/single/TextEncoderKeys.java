package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text encoders' original names → transformers' {@code CLIPTextModel} names. OpenAI's CLIP (SD 1.x,
 * SDXL's first encoder) is stored under transformers' own names behind a prefix. OpenCLIP (SD 2.x, SDXL's
 * second encoder) has its own names and one fused {@code in_proj} per attention, split into q, k, v rows.
 */
final class TextEncoderKeys {

    /** SD 1.x's CLIP. */
    static final String SD1_CLIP = "cond_stage_model.transformer.";
    /** SDXL's first encoder, CLIP ViT-L. */
    static final String SDXL_CLIP = "conditioner.embedders.0.transformer.";
    /** SD 2.x's OpenCLIP ViT-H. */
    static final String SD2_OPEN_CLIP = "cond_stage_model.model.";
    /** SDXL's second encoder, OpenCLIP ViT-bigG. */
    static final String SDXL_OPEN_CLIP = "conditioner.embedders.1.model.";

    private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");

    private static final Map<String, String> OPEN_CLIP_BLOCK = Map.of(
            "ln_1.", "layer_norm1.",
            "ln_2.", "layer_norm2.",
            "mlp.c_fc.", "mlp.fc1.",
            "mlp.c_proj.", "mlp.fc2.",
            "attn.out_proj.", "self_attn.out_proj.");

    private TextEncoderKeys() {}

    /** CLIP: the prefix comes off; the position_ids buffer is no weight. */
    static List<MappedTensor> clip(Set<String> keys, String prefix) {
        List<MappedTensor> mapped = new ArrayList<>();
        for (String key : keys) {
            if (key.startsWith(prefix + "text_model.") && !key.endsWith("position_ids")) {
                mapped.add(MappedTensor.copy(key.substring(prefix.length()), key));
            }
        }
        return mapped;
    }

    /** Blocks of an OpenCLIP tower: the highest {@code resblocks} index plus one. */
    static int openClipBlocks(Set<String> keys, String prefix) {
        int blocks = 0;
        for (String key : keys) {
            Matcher block = key.startsWith(prefix) ? BLOCK.matcher(key.substring(prefix.length())) : null;
            if (block != null && block.matches()) {
                blocks = Math.max(blocks, Integer.parseInt(block.group(1)) + 1);
            }
        }
        return blocks;
    }

    /**
     * OpenCLIP of width {@code width} with its first {@code layers} blocks (SD 2.x conditions on the
     * penultimate block, so diffusers' encoder has one block less); {@code projection} maps
     * {@code text_projection} too (SDXL).
     */
    static List<MappedTensor> openClip(Set<String> keys, String prefix, long width, int layers, boolean projection) {
        List<MappedTensor> mapped = new ArrayList<>();
        for (String key : keys) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String local = key.substring(prefix.length());
            switch (local) {
                case "token_embedding.weight" ->
                        mapped.add(MappedTensor.copy("text_model.embeddings.token_embedding.weight", key));
                case "positional_embedding" ->
                        mapped.add(MappedTensor.copy("text_model.embeddings.position_embedding.weight", key));
                case "ln_final.weight", "ln_final.bias" ->
                        mapped.add(MappedTensor.copy("text_model.final_layer_norm." + local.substring(9), key));
                case "text_projection" -> {
                    if (projection) {
                        mapped.add(new MappedTensor("text_projection.weight", key, new TensorTransform.Transpose()));
                    }
                }
                default -> block(local, key, width, layers, mapped);
            }
        }
        return mapped;
    }

    private static void block(String local, String key, long width, int layers, List<MappedTensor> mapped) {
        Matcher block = BLOCK.matcher(local);
        if (!block.matches() || Integer.parseInt(block.group(1)) >= layers) {
            return;
        }
        String layer = "text_model.encoder.layers." + block.group(1) + ".";
        String rest = block.group(2);
        if (rest.equals("attn.in_proj_weight") || rest.equals("attn.in_proj_bias")) {
            String suffix = rest.endsWith("weight") ? "weight" : "bias";
            String[] names = {"q_proj", "k_proj", "v_proj"};
            for (int i = 0; i < 3; i++) {
                mapped.add(new MappedTensor(layer + "self_attn." + names[i] + "." + suffix, key,
                        new TensorTransform.Rows(i * width, (i + 1) * width)));
            }
            return;
        }
        for (Map.Entry<String, String> e : OPEN_CLIP_BLOCK.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                mapped.add(MappedTensor.copy(layer + e.getValue() + rest.substring(e.getKey().length()), key));
                return;
            }
        }
    }
}

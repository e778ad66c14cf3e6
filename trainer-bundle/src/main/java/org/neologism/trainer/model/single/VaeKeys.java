package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VAE's original names ({@code first_stage_model.*} or {@code vae.*}, ldm's {@code Encoder}/{@code Decoder})
 * → diffusers' {@code AutoencoderKL}. The decoder's levels are numbered from the bottom in the original
 * ({@code up.{n-1-i}}) and from the top in diffusers; the mid-block attention's q/k/v/proj_out are 1×1
 * convolutions there and linear layers here.
 */
final class VaeKeys {

    /** The prefixes diffusers accepts; when both occur the last one present wins, as there. */
    static final List<String> PREFIXES = List.of("first_stage_model.", "vae.");

    private static final Pattern DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.+)");
    private static final Pattern UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.+)");
    private static final Pattern MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.+)");

    private VaeKeys() {}

    static String prefix(Set<String> keys) {
        String found = null;
        for (String prefix : PREFIXES) {
            if (keys.stream().anyMatch(k -> k.startsWith(prefix))) {
                found = prefix;
            }
        }
        return found;
    }

    static int decoderLevels(Set<String> keys, String prefix) {
        int levels = 0;
        for (String key : keys) {
            Matcher up = key.startsWith(prefix) ? UP.matcher(key.substring(prefix.length())) : null;
            if (up != null && up.matches()) {
                levels = Math.max(levels, Integer.parseInt(up.group(1)) + 1);
            }
        }
        return levels;
    }

    static List<MappedTensor> map(Set<String> keys) {
        String prefix = prefix(keys);
        List<MappedTensor> mapped = new ArrayList<>();
        if (prefix == null) {
            return mapped;
        }
        int levels = decoderLevels(keys, prefix);
        for (String key : keys) {
            if (key.startsWith(prefix)) {
                MappedTensor tensor = rename(key, key.substring(prefix.length()), levels);
                if (tensor != null) {
                    mapped.add(tensor);
                }
            }
        }
        return mapped;
    }

    private static MappedTensor rename(String key, String local, int levels) {
        for (String side : List.of("encoder.", "decoder.")) {
            for (String same : List.of("conv_in.", "conv_out.")) {
                if (local.startsWith(side + same)) {
                    return MappedTensor.copy(local, key);
                }
            }
            if (local.startsWith(side + "norm_out.")) {
                return MappedTensor.copy(side + "conv_norm_out." + local.substring((side + "norm_out.").length()), key);
            }
        }
        if (local.startsWith("quant_conv.") || local.startsWith("post_quant_conv.")) {
            return MappedTensor.copy(local, key);
        }
        Matcher down = DOWN.matcher(local);
        if (down.matches()) {
            String block = "encoder.down_blocks." + down.group(1);
            return MappedTensor.copy(down.group(3) != null
                    ? block + ".resnets." + down.group(3) + "." + resnet(down.group(4))
                    : block + ".downsamplers.0." + down.group(4), key);
        }
        Matcher up = UP.matcher(local);
        if (up.matches()) {
            String block = "decoder.up_blocks." + (levels - 1 - Integer.parseInt(up.group(1)));
            return MappedTensor.copy(up.group(3) != null
                    ? block + ".resnets." + up.group(3) + "." + resnet(up.group(4))
                    : block + ".upsamplers.0." + up.group(4), key);
        }
        Matcher mid = MID.matcher(local);
        if (mid.matches()) {
            String block = mid.group(1) + ".mid_block.";
            String rest = mid.group(3);
            return switch (mid.group(2)) {
                case "block_1" -> MappedTensor.copy(block + "resnets.0." + resnet(rest), key);
                case "block_2" -> MappedTensor.copy(block + "resnets.1." + resnet(rest), key);
                default -> attention(block + "attentions.0.", rest, key);
            };
        }
        return null;
    }

    private static MappedTensor attention(String block, String rest, String key) {
        int dot = rest.indexOf('.');
        String layer = dot < 0 ? rest : rest.substring(0, dot);
        String suffix = dot < 0 ? "" : rest.substring(dot);
        String name = switch (layer) {
            case "norm" -> "group_norm";
            case "q" -> "to_q";
            case "k" -> "to_k";
            case "v" -> "to_v";
            case "proj_out" -> "to_out.0";
            default -> null;
        };
        if (name == null) {
            return null;
        }
        boolean linearWeight = !name.equals("group_norm") && suffix.equals(".weight");
        return new MappedTensor(block + name + suffix, key,
                linearWeight ? new TensorTransform.Reshape() : new TensorTransform.Copy());
    }

    private static String resnet(String rest) {
        return rest.startsWith("nin_shortcut.") ? "conv_shortcut." + rest.substring("nin_shortcut.".length()) : rest;
    }
}

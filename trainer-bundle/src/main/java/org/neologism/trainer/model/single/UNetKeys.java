package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The UNet's original names ({@code model.diffusion_model.*}, openaimodel's {@code input_blocks} /
 * {@code middle_block} / {@code output_blocks}) → diffusers' {@code UNet2DConditionModel} names. diffusers'
 * conversion generalised to any number of levels and layers: the layers per level follow from where the
 * first downsampler sits, so the tiny models map by the same rules as the full-size ones.
 */
final class UNetKeys {

    static final String PREFIX = "model.diffusion_model.";

    private static final Pattern INPUT = Pattern.compile("input_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern OUTPUT = Pattern.compile("output_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern MIDDLE = Pattern.compile("middle_block\\.(\\d+)\\.(.+)");
    private static final Pattern DOWNSAMPLER = Pattern.compile("input_blocks\\.(\\d+)\\.0\\.op\\.weight");

    private static final Map<String, String> TOP_LEVEL = Map.of(
            "time_embed.0.", "time_embedding.linear_1.",
            "time_embed.2.", "time_embedding.linear_2.",
            "label_emb.0.0.", "add_embedding.linear_1.",
            "label_emb.0.2.", "add_embedding.linear_2.",
            "out.0.", "conv_norm_out.",
            "out.2.", "conv_out.");

    private static final Map<String, String> RESNET = Map.of(
            "in_layers.0.", "norm1.",
            "in_layers.2.", "conv1.",
            "emb_layers.1.", "time_emb_proj.",
            "out_layers.0.", "norm2.",
            "out_layers.3.", "conv2.",
            "skip_connection.", "conv_shortcut.");

    private UNetKeys() {}

    /** Layers per level: the index of the first downsampler minus one (openaimodel puts it after the layers). */
    static int layersPerBlock(Set<String> keys) {
        int first = Integer.MAX_VALUE;
        int inputs = 0;
        for (String key : keys) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String local = key.substring(PREFIX.length());
            Matcher op = DOWNSAMPLER.matcher(local);
            if (op.matches()) {
                first = Math.min(first, Integer.parseInt(op.group(1)));
            }
            Matcher input = INPUT.matcher(local);
            if (input.matches()) {
                inputs = Math.max(inputs, Integer.parseInt(input.group(1)));
            }
        }
        // Without a downsampler there is one level holding every input block after conv_in.
        return first == Integer.MAX_VALUE ? inputs : first - 1;
    }

    /** Every UNet tensor of the file with its diffusers name; keys this mapping does not know are left out. */
    static List<MappedTensor> map(Set<String> keys) {
        int layers = layersPerBlock(keys);
        List<MappedTensor> mapped = new ArrayList<>();
        for (String key : keys) {
            if (key.startsWith(PREFIX)) {
                String name = rename(key.substring(PREFIX.length()), layers);
                if (name != null) {
                    mapped.add(MappedTensor.copy(name, key));
                }
            }
        }
        return mapped;
    }

    private static String rename(String local, int layers) {
        for (Map.Entry<String, String> top : TOP_LEVEL.entrySet()) {
            if (local.startsWith(top.getKey())) {
                return top.getValue() + local.substring(top.getKey().length());
            }
        }
        if (local.startsWith("input_blocks.0.0.")) {
            return "conv_in." + local.substring("input_blocks.0.0.".length());
        }
        Matcher input = INPUT.matcher(local);
        if (input.matches()) {
            int block = Integer.parseInt(input.group(1)) - 1;
            int level = block / (layers + 1);
            int layer = block % (layers + 1);
            String part = input.group(2);
            String rest = input.group(3);
            if (layer == layers) {
                return rest.startsWith("op.") ? "down_blocks." + level + ".downsamplers.0.conv." + rest.substring(3) : null;
            }
            return switch (part) {
                case "0" -> "down_blocks." + level + ".resnets." + layer + "." + resnet(rest);
                case "1" -> "down_blocks." + level + ".attentions." + layer + "." + rest;
                default -> null;
            };
        }
        Matcher middle = MIDDLE.matcher(local);
        if (middle.matches()) {
            return switch (middle.group(1)) {
                case "0" -> "mid_block.resnets.0." + resnet(middle.group(2));
                case "1" -> "mid_block.attentions.0." + middle.group(2);
                case "2" -> "mid_block.resnets.1." + resnet(middle.group(2));
                default -> null;
            };
        }
        Matcher output = OUTPUT.matcher(local);
        if (output.matches()) {
            int block = Integer.parseInt(output.group(1));
            int level = block / (layers + 1);
            int layer = block % (layers + 1);
            String part = output.group(2);
            String rest = output.group(3);
            // The upsampler follows the resnet (part 1) or the resnet and the attention (part 2).
            if (rest.startsWith("conv.") && !part.equals("0")) {
                return "up_blocks." + level + ".upsamplers.0.conv." + rest.substring(5);
            }
            return switch (part) {
                case "0" -> "up_blocks." + level + ".resnets." + layer + "." + resnet(rest);
                case "1" -> "up_blocks." + level + ".attentions." + layer + "." + rest;
                default -> null;
            };
        }
        return null;
    }

    private static String resnet(String rest) {
        for (Map.Entry<String, String> e : RESNET.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return e.getValue() + rest.substring(e.getKey().length());
            }
        }
        return rest;
    }
}

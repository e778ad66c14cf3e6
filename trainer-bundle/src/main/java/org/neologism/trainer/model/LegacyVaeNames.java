package org.neologism.trainer.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VAE files saved before diffusers 0.14 name the mid-block attention {@code query/key/value/proj_attn};
 * today's names are {@code to_q/to_k/to_v/to_out.0} (same shapes, or 1×1 convs of them).
 */
final class LegacyVaeNames {

    private static final Pattern LEGACY = Pattern.compile("(.*\\.attentions\\.\\d+\\.)(query|key|value|proj_attn)(\\.(weight|bias))");

    private LegacyVaeNames() {}

    static String rename(String name) {
        Matcher m = LEGACY.matcher(name);
        if (!m.matches()) {
            return name;
        }
        String modern = switch (m.group(2)) {
            case "query" -> "to_q";
            case "key" -> "to_k";
            case "value" -> "to_v";
            default -> "to_out.0";
        };
        return m.group(1) + modern + m.group(3);
    }
}

package org.neologism.trainer.model.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects every unsupported value of one config file, so the user sees all of them at once, each named
 * with its key, the value found and the value(s) this implementation supports.
 */
final class ConfigCheck {

    private final String file;
    private final List<String> problems = new ArrayList<>();

    ConfigCheck(String file) {
        this.file = file;
    }

    /** The value must be one of the allowed ones (null allowed only when listed). */
    ConfigCheck oneOf(String key, Object value, Object... allowed) {
        for (Object a : allowed) {
            if (Objects.equals(a, value)) {
                return this;
            }
        }
        problems.add(key + " = " + show(value) + " (supported: " + showAll(allowed) + ")");
        return this;
    }

    ConfigCheck require(boolean ok, String key, Object value, String supported) {
        if (!ok) {
            problems.add(key + " = " + show(value) + " (supported: " + supported + ")");
        }
        return this;
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new UnsupportedModelException(file + ": unsupported value" + (problems.size() > 1 ? "s" : "") + ": "
                    + String.join("; ", problems)
                    + ". Neologism trains Stable Diffusion 1.x/2.x/XL models in diffusers format; use such a model.");
        }
    }

    private static String show(Object v) {
        return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
    }

    private static String showAll(Object[] values) {
        List<String> shown = new ArrayList<>();
        for (Object v : values) {
            shown.add(show(v));
        }
        return String.join(" or ", shown);
    }
}

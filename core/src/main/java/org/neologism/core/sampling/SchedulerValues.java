package org.neologism.core.sampling;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of a model's {@code scheduler/scheduler_config.json} as diffusers' {@code from_config} passes
 * them on: keys listed in {@code _use_default_values} count as absent, and every absent key takes the
 * default of the class being built, which each sampler supplies when it asks. So DDIM built from SD's
 * DDPM config gets DDIM's own {@code set_alpha_to_one = true}, and from SDXL's config (which carries the
 * key) {@code false}, exactly as in diffusers.
 */
public final class SchedulerValues {

    // diffusers writes Python's json, which spells lambda_min_clipped as -Infinity.
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final String source;
    private final Map<String, Object> values;

    private SchedulerValues(String source, Map<String, Object> values) {
        this.source = source;
        this.values = values;
    }

    /** Values parsed from JSON text or read from a file, named {@code source} in messages. */
    @SuppressWarnings("unchecked")
    public static SchedulerValues of(String source, Map<String, ?> json) {
        Map<String, Object> kept = new LinkedHashMap<>(json);
        Object defaults = kept.remove("_use_default_values");
        if (defaults instanceof List<?> keys) {
            keys.forEach(kept::remove);
        }
        return new SchedulerValues(source, kept);
    }

    @SuppressWarnings("unchecked")
    public static SchedulerValues read(Path file) {
        try {
            return of(file.toString(), JSON.readValue(file.toFile(), Map.class));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a readable scheduler config (" + e.getMessage()
                    + "): give the model's scheduler/scheduler_config.json", e);
        }
    }

    /** These values with {@code overrides} on top, as {@code from_config(config, **overrides)}. */
    public SchedulerValues with(Map<String, ?> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return new SchedulerValues(source, merged);
    }

    /** Where the values came from, for messages. */
    public String source() {
        return source;
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public String text(String key, String fallback) {
        Object value = values.get(key);
        return value == null ? fallback : value.toString();
    }

    public double real(String key, double fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        throw bad(key, value, "a number");
    }

    public int integer(String key, int fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
            return number.intValue();
        }
        throw bad(key, value, "a whole number");
    }

    public boolean bool(String key, boolean fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw bad(key, value, "true or false");
    }

    /** A list of numbers ({@code trained_betas}), or null when absent. */
    public double[] reals(String key) {
        Object value = values.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list && list.stream().allMatch(Number.class::isInstance)) {
            return list.stream().mapToDouble(n -> ((Number) n).doubleValue()).toArray();
        }
        throw bad(key, value, "a list of numbers");
    }

    /**
     * Refuses a value this sampler cannot honour.
     *
     * @throws IllegalArgumentException naming the file, the key and the supported values
     */
    public void require(boolean supported, String key, String sampler, String supportedValues) {
        if (!supported) {
            throw new IllegalArgumentException(source + ": " + key + " = " + values.get(key) + " is not supported by the "
                    + sampler + " sampler (supported: " + supportedValues + "); change it in the file or pick another"
                    + " --sampler");
        }
    }

    private IllegalArgumentException bad(String key, Object value, String expected) {
        return new IllegalArgumentException(source + ": " + key + " is " + value + ", expected " + expected);
    }
}

package org.neologism.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * The reference learning rates of every variant under {@code golden/}: one case per run of
 * {@code lr_schedulers.json}, with its values read from {@code lr_schedulers.safetensors}.
 */
final class GoldenSchedules {

    /**
     * @param variant   the golden folder, e.g. {@code tiny-sd1}
     * @param key       the tensor key, e.g. {@code main.polynomial.power2.0}
     * @param name      the schedule name passed to diffusers' {@code get_scheduler}
     * @param settings  warmup, total steps, base lr and the keyword arguments as parameters
     * @param lrs       the learning rate used by optimiser step k = 0..T (float64)
     */
    record Case(String variant, String key, String name, ScheduleSettings settings, double[] lrs) {
        @Override
        public String toString() {
            return variant + "/" + key;
        }
    }

    private GoldenSchedules() {}

    /** Every golden variant that recorded schedules (every one, in the fixtures' layout). */
    static List<Path> variants() {
        List<Path> variants = Fixtures.goldenVariants().stream().map(GoldenVariant::folder)
                .filter(folder -> Files.exists(folder.resolve("lr_schedulers.json"))).toList();
        if (variants.isEmpty()) {
            throw new IllegalStateException("No golden/*/lr_schedulers.json under " + Fixtures.root());
        }
        return variants;
    }

    static List<Case> all() {
        try {
            List<Case> cases = new ArrayList<>();
            for (Path variant : variants()) {
                cases.addAll(of(variant));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runs of one variant. Two layouts exist: a list of runs each with its key, base lr and {@code kwargs}
     * (diffusers 0.25 sets), or runs keyed by their tensor key with the base lr once at the top and the keyword
     * arguments as fields of the run (the SDXL set, diffusers 0.31).
     */
    static List<Case> of(Path variant) throws IOException {
        JsonNode schedules = new ObjectMapper().readTree(variant.resolve("lr_schedulers.json").toFile());
        JsonNode runs = schedules.get("runs");
        List<Case> cases = new ArrayList<>();
        try (SafetensorsFile tensors = SafetensorsFile.open(variant.resolve("lr_schedulers.safetensors"))) {
            if (runs.isArray()) {
                for (JsonNode run : runs) {
                    cases.add(of(variant, run.get("key").asText(), run, run.get("base_lr"), run.get("kwargs"), tensors));
                }
            } else {
                for (Map.Entry<String, JsonNode> run : (Iterable<Map.Entry<String, JsonNode>>) runs::fields) {
                    ObjectNode kwargs = run.getValue().deepCopy();
                    kwargs.remove(List.of("name", "num_warmup_steps", "num_training_steps", "lrs"));
                    cases.add(of(variant, run.getKey(), run.getValue(), schedules.get("base_lr"), kwargs, tensors));
                }
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException(variant.resolve("lr_schedulers.json") + " holds no runs");
        }
        return cases;
    }

    private static Case of(Path variant, String key, JsonNode run, JsonNode baseLr, JsonNode kwargs,
                           SafetensorsFile tensors) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        kwargs.fields().forEachRemaining(field -> parameters.put(field.getKey(), field.getValue().asText()));
        ScheduleSettings settings = new ScheduleSettings(run.get("num_warmup_steps").asLong(),
                run.get("num_training_steps").asLong(), baseLr.asDouble(), parameters);
        return new Case(variant.getFileName().toString(), key, run.get("name").asText(), settings,
                floatingLrs(tensors, key));
    }

    /** The tensor {@code key} as doubles; only F64 (or F32, widened exactly) holds a learning-rate curve. */
    private static double[] floatingLrs(SafetensorsFile tensors, String key) throws IOException {
        DType dtype = tensors.entry(key).dtype();
        if (dtype != DType.F64 && dtype != DType.F32) {
            throw new IllegalArgumentException(tensors.path() + ": tensor " + key + " has dtype " + dtype + ", not F64/F32");
        }
        return tensors.readDoubles(key);
    }
}

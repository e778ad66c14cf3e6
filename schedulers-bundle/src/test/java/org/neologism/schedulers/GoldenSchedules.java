package org.neologism.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;

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
     * @param jsonLrs   the same values as written to the JSON file
     */
    record Case(String variant, String key, String name, ScheduleSettings settings, double[] lrs, double[] jsonLrs) {
        @Override
        public String toString() {
            return variant + "/" + key;
        }
    }

    private GoldenSchedules() {}

    static Path fixtures() {
        String fixtures = System.getProperty("neologism.fixtures");
        if (fixtures == null) {
            throw new IllegalStateException("System property neologism.fixtures is not set: run the tests with Maven");
        }
        return Path.of(fixtures);
    }

    static List<Path> variants() throws IOException {
        try (Stream<Path> folders = Files.list(fixtures().resolve("golden"))) {
            List<Path> variants = folders.filter(folder -> Files.exists(folder.resolve("lr_schedulers.json"))).sorted().toList();
            if (variants.isEmpty()) {
                throw new IllegalStateException("No golden/*/lr_schedulers.json under " + fixtures());
            }
            return variants;
        }
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

    static List<Case> of(Path variant) throws IOException {
        JsonNode runs = new ObjectMapper().readTree(variant.resolve("lr_schedulers.json").toFile()).get("runs");
        List<Case> cases = new ArrayList<>();
        try (SafetensorsFile tensors = SafetensorsFile.open(variant.resolve("lr_schedulers.safetensors"))) {
            for (JsonNode run : runs) {
                cases.add(of(variant, run, tensors));
            }
        }
        return cases;
    }

    private static Case of(Path variant, JsonNode run, SafetensorsFile tensors) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        run.get("kwargs").fields().forEachRemaining(field -> parameters.put(field.getKey(), field.getValue().asText()));
        ScheduleSettings settings = new ScheduleSettings(run.get("num_warmup_steps").asLong(),
                run.get("num_training_steps").asLong(), run.get("base_lr").asDouble(), parameters);
        double[] jsonLrs = new double[run.get("lrs").size()];
        for (int k = 0; k < jsonLrs.length; k++) {
            jsonLrs[k] = run.get("lrs").get(k).asDouble();
        }
        String key = run.get("key").asText();
        return new Case(variant.getFileName().toString(), key, run.get("name").asText(), settings,
                floatingLrs(tensors, key), jsonLrs);
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

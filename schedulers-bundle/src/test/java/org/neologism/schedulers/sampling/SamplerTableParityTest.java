package org.neologism.schedulers.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;

/**
 * Every {@code set_timesteps} table of every variant's {@code sampling.json} (each scheduler × spacing × N,
 * built from the model's own scheduler config like {@code from_config}) and every case's per-step
 * scheduler values come out of the samplers exactly as diffusers made them.
 */
class SamplerTableParityTest {

    static final List<Sampler> SAMPLERS = List.of(new DdimSampler(), new PndmSampler(), new EulerSampler(),
            new EulerAncestralSampler(), new LmsSampler(), new DpmppTwoMSampler(), new DpmppTwoMKarrasSampler());

    static Path fixtures() {
        return Fixtures.root();
    }

    static List<Path> variants() throws IOException {
        try (Stream<Path> folders = Files.list(fixtures().resolve("golden"))) {
            List<Path> found = folders.filter(f -> Files.exists(f.resolve("sampling.json"))).sorted().toList();
            assertTrue(!found.isEmpty(), "no golden/*/sampling.json under " + fixtures());
            return found;
        }
    }

    static JsonNode index(Path variant) throws IOException {
        return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(variant.resolve("sampling.json").toFile());
    }

    static SchedulerValues modelConfig(Path variant, JsonNode index) {
        return SchedulerValues.read(variant.resolve(index.path("model_dir").asText()).resolve("scheduler/scheduler_config.json")
                .normalize());
    }

    static Sampler sampler(String name) {
        return SAMPLERS.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("the fixtures use a sampler named " + name + ", which none provides"));
    }

    static List<Object[]> tables() throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (Path variant : variants()) {
            Iterator<String> names = index(variant).path("sections").path("tables").path("entries").fieldNames();
            names.forEachRemaining(name -> out.add(new Object[] {variant.getFileName().toString(), name}));
        }
        return out;
    }

    static List<Object[]> cases() throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (Path variant : variants()) {
            for (JsonNode c : index(variant).path("sections").path("cases")) {
                out.add(new Object[] {variant.getFileName().toString(), c.path("name").asText()});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tables")
    void tableMatchesSetTimesteps(String variantName, String entry) throws IOException {
        Path variant = fixtures().resolve("golden").resolve(variantName);
        JsonNode index = index(variant);
        String[] parts = entry.split("\\.");
        int steps = Integer.parseInt(parts[2].substring(1));
        SchedulerValues config = modelConfig(variant, index).with(Map.of("timestep_spacing", parts[1]));
        SamplingPlan plan = sampler(parts[0]).plan(config, steps);
        JsonNode expected = index.path("sections").path("tables").path("entries").path(entry);
        try (SafetensorsFile tensors = SafetensorsFile.open(variant.resolve("sampling.safetensors"))) {
            String key = "table." + entry + ".";
            assertArrayEquals(timesteps(tensors, key + "timesteps"), plan.timesteps(), 0.0, entry + " timesteps");
            assertEquals(expected.path("num_loop_steps").asInt(), plan.steps().size(), entry + " loop steps");
            if (tensors.contains(key + "sigmas")) {
                assertNotNull(plan.sigmas(), entry + " has sigmas");
                assertArrayEquals(tensors.readFloats(key + "sigmas"), plan.sigmas(), 0f, entry + " sigmas");
            } else {
                assertNull(plan.sigmas(), entry + " has no sigmas");
            }
            float init = tensors.contains(key + "init_noise_sigma") ? tensors.readFloats(key + "init_noise_sigma")[0]
                    : (float) expected.path("init_noise_sigma").asDouble();
            assertEquals(init, (float) plan.initNoiseSigma(), 0f, entry + " init_noise_sigma");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void caseSchedulerValuesMatch(String variantName, String caseName) throws IOException {
        Path variant = fixtures().resolve("golden").resolve(variantName);
        JsonNode index = index(variant);
        JsonNode c = null;
        for (JsonNode candidate : index.path("sections").path("cases")) {
            if (candidate.path("name").asText().equals(caseName)) {
                c = candidate;
            }
        }
        SamplingPlan plan = sampler(c.path("scheduler").asText()).plan(modelConfig(variant, index),
                c.path("num_inference_steps").asInt());
        double[] timesteps = new double[c.path("timesteps").size()];
        for (int i = 0; i < timesteps.length; i++) {
            timesteps[i] = c.path("timesteps").get(i).asDouble();
        }
        assertArrayEquals(timesteps, plan.timesteps(), 0.0, caseName + " timesteps");
        assertEquals((float) c.path("init_noise_sigma").asDouble(), (float) plan.initNoiseSigma(), 0f, "init_noise_sigma");
        JsonNode perStep = c.path("per_step_scheduler");
        for (int k = 0; k < perStep.size(); k++) {
            JsonNode s = perStep.get(k);
            SamplerStep step = plan.steps().get(k);
            if (s.has("input_scale")) {
                assertEquals(s.path("input_scale").asDouble(), step.inputScale(), 1e-7, caseName + " step " + k + " input scale");
            }
            if (s.has("sigma_up")) {
                assertEquals(s.path("sigma_up").asDouble(), step.noise(), 1e-6 * s.path("sigma_up").asDouble() + 1e-9,
                        caseName + " step " + k + " sigma_up");
            }
            if (s.has("lms_coeffs")) {
                // each derivative's weight: for ε-prediction d = ε, so it is the output coefficient
                JsonNode coeffs = s.path("lms_coeffs");
                if (index.path("model").path("prediction_type").asText("epsilon").equals("epsilon")) {
                    for (int i = 0; i < coeffs.size(); i++) {
                        double expected = coeffs.get(i).asDouble();
                        assertEquals(expected, step.output()[i], 1e-5 * Math.abs(expected) + 1e-9,
                                caseName + " step " + k + " LMS coefficient " + i);
                    }
                }
            }
        }
    }

    private static double[] timesteps(SafetensorsFile tensors, String key) throws IOException {
        if (tensors.entry(key).dtype() == DType.I64) {
            long[] values = tensors.readLongs(key);
            double[] out = new double[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = values[i];
            }
            return out;
        }
        float[] values = tensors.readFloats(key);
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}

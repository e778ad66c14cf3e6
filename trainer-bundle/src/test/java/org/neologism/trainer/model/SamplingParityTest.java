package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.schedulers.sampling.DdimSampler;
import org.neologism.schedulers.sampling.DpmppTwoMKarrasSampler;
import org.neologism.schedulers.sampling.DpmppTwoMSampler;
import org.neologism.schedulers.sampling.EulerAncestralSampler;
import org.neologism.schedulers.sampling.EulerSampler;
import org.neologism.schedulers.sampling.LmsSampler;
import org.neologism.schedulers.sampling.PndmSampler;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.generation.DenoisingLoop;
import org.neologism.trainer.generation.EncodedPrompt;
import org.neologism.trainer.generation.Guidance;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.generation.NoiseSource;
import org.neologism.trainer.generation.PixelConversion;
import org.neologism.trainer.generation.PromptEncoder;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Text-to-image generation matches diffusers' pipelines for every case of every variant's
 * {@code sampling.json}: the prompt ids and text states, every recorded step's UNet input, outputs, guided
 * prediction and latents, the decoded image and the 8-bit pixels (also through a written PNG), each within
 * the fixtures' own tolerances. Euler a gets the recorded noise. SDXL cases also check the second encoder's ids,
 * the pooled embeddings, {@code add_time_ids} and the zeroed negative conditioning of
 * {@code force_zeros_for_empty_prompt}.
 */
class SamplingParityTest {

    private static final List<Sampler> SAMPLERS = List.of(new DdimSampler(), new PndmSampler(), new EulerSampler(),
            new EulerAncestralSampler(), new LmsSampler(), new DpmppTwoMSampler(), new DpmppTwoMKarrasSampler());
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static TorchEngine torch;

    @TempDir
    Path temp;

    @BeforeAll
    static void engine() {
        torch = new TorchEngine();
    }

    @TestFactory
    List<DynamicNode> generationMatchesDiffusers() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            if (!Files.exists(variant.file("sampling.json"))) {
                continue;
            }
            // SD 1.x/2.x and SDXL pipelines alike (SDXL: both encoders, pooled embeddings, time ids, zeroed negatives).
            tests.add(variant.testsOfAnyArchitecture(v -> {
                List<DynamicTest> cases = new ArrayList<>();
                for (JsonNode c : readIndex(v).path("sections").path("cases")) {
                    String name = c.path("name").asText();
                    // The fused kernels the product uses; UNetParityTest and VaeParityTest hold the composed ones to the same numbers.
                    cases.add(DynamicTest.dynamicTest(name + " fused", () -> generationMatches(v, name, "fused")));
                }
                assertFalse(cases.isEmpty(), v + ": sampling.json lists no cases");
                return cases.stream();
            }));
        }
        assertFalse(tests.isEmpty(), "no sampling cases under " + Fixtures.root());
        return tests;
    }

    /** max|a − g| ≤ atol + rtol·max|g| per tensor, the fixtures' rule. */
    private record Tolerance(double atol, double rtol) {
        void check(String what, float[] golden, float[] actual) {
            assertEquals(golden.length, actual.length, what + " size");
            double maxAbs = 0;
            double maxGolden = 0;
            for (int i = 0; i < golden.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs((double) actual[i] - golden[i]));
                maxGolden = Math.max(maxGolden, Math.abs(golden[i]));
            }
            double bound = atol + rtol * maxGolden;
            System.out.printf("%s: max|diff| %.3g, %.3f of the tolerance%n", what, maxAbs, maxAbs / bound);
            assertTrue(maxAbs <= bound, what + ": max |diff| " + maxAbs + " > " + bound + " (atol " + atol + ", rtol "
                    + rtol + ", max|g| " + maxGolden + ")");
        }
    }

    private void generationMatches(GoldenVariant variant, String caseName, String kernelName) throws Exception {
        Path golden = variant.folder();
        JsonNode index = readIndex(variant);
        Path modelDir = golden.resolve(index.path("model_dir").asText()).normalize();
        JsonNode c = caseNamed(index, caseName);
        Map<String, Tolerance> tolerances = new HashMap<>();
        index.path("sections").path("tolerances").path("values").fields().forEachRemaining(e ->
                tolerances.put(e.getKey(), new Tolerance(e.getValue().path("atol").asDouble(), e.getValue().path("rtol").asDouble())));
        JsonNode uint8Rule = index.path("sections").path("tolerances").path("uint8");

        try (NDManager manager = torch.newManager();
             SafetensorsFile tensors = SafetensorsFile.open(golden.resolve("sampling.safetensors"));
             SafetensorsFile expectedRows = GoldenTensors.golden(variant, "embeddings_expected.safetensors")) {
            Kernels kernels = KernelChoice.kernels(kernelName, manager);
            DiffusersFolder model = DiffusersFolder.open(modelDir, WeightFiles.OPENER);
            ImageGenerator generator = new ImageGenerator(model, model.loadTextConditioner(manager, DataType.FLOAT32, kernels),
                    model.loadUNet(manager, DataType.FLOAT32, kernels), model.loadVae(manager, DataType.FLOAT32, kernels));
            int encoders = generator.tokenWidths().length;

            PromptEncoder encoder = generator.promptEncoder(loadedEmbedding(c.path("textual_inversion"), expectedRows, encoders));
            String prompt = c.path("prompt").asText();
            assertEquals(c.path("converted_prompt").asText(), encoder.converted(prompt), "maybe_convert_prompt");
            checkIds(tensors, caseName + ".prompt_ids", encoder, prompt);
            Tolerance text = tolerances.get("text_embeds");
            JsonNode keys = c.path("conditioning_keys");
            EncodedPrompt promptStates = generator.encode(manager, encoder, prompt);
            checkConditioning(tensors, keys, "", caseName, promptStates, text);
            Guidance guidance = new Guidance(c.path("guidance_scale").asDouble(), c.path("guidance_rescale").asDouble());
            EncodedPrompt negativeStates = null;
            if (guidance.enabled()) {
                String negative = c.path("negative_prompt").isNull() ? null : c.path("negative_prompt").asText();
                if (negative == null && generator.zerosForEmptyNegative()) {
                    assertTrue(!tensors.contains(caseName + ".negative_ids"), "zeroed negatives are not encoded");
                } else {
                    checkIds(tensors, caseName + ".negative_ids", encoder, negative == null ? "" : negative);
                }
                negativeStates = generator.encodeNegative(manager, encoder, negative, promptStates);
                checkConditioning(tensors, keys, "negative_", caseName, negativeStates, text);
            } else {
                assertTrue(!tensors.contains(caseName + ".negative_ids"), "no negative pass without guidance");
            }
            int height = c.path("height").asInt();
            int width = c.path("width").asInt();
            float[] timeIds = generator.addTimeIds(height, width);
            for (String key : new String[] {"add_time_ids", "negative_add_time_ids"}) {
                if (keys.has(key)) {
                    assertArrayEquals(tensors.readFloats(keys.path(key).asText()), timeIds, caseName + " " + key);
                }
            }
            assertEquals(keys.has("add_time_ids"), timeIds != null, caseName + ": add_time_ids recorded iff the UNet takes them");

            Sampler sampler = SAMPLERS.stream().filter(s -> s.name().equals(c.path("scheduler").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no sampler named " + c.path("scheduler").asText()));
            SamplingPlan plan = sampler.plan(generator.schedulerValues(), c.path("num_inference_steps").asInt());
            Shape latentShape = generator.latentShape(height, width);
            assertArrayEquals(toLongs(c.path("latent_shape")), latentShape.getShape(), "latent shape");
            NoiseSource noise = recordedNoise(tensors, caseName, latentShape);

            int[] compared = {0};
            DenoisingLoop.StepObserver observer = (k, total, t) -> {
                String p = caseName + ".step" + k + ".";
                compared[0] += check(tensors, p + "model_input", t.modelInput(), tolerances.get("model_input"));
                compared[0] += check(tensors, p + "noise_pred_uncond", t.uncond(), tolerances.get("unet_out"));
                compared[0] += check(tensors, p + "noise_pred_text", t.text(), tolerances.get("unet_out"));
                compared[0] += check(tensors, p + "noise_pred_cfg", t.guidedBeforeRescale(), tolerances.get("noise_pred"));
                compared[0] += check(tensors, p + "noise_pred", t.guided(), tolerances.get("noise_pred"));
                compared[0] += check(tensors, p + "latents", t.latents(), tolerances.get("latents"));
            };
            ImageGenerator.Request request = new ImageGenerator.Request(plan, promptStates, negativeStates, guidance, height,
                    width);
            ImageGenerator.Image image = generator.generate(manager, request, tensors.readFloats("init_latents"), noise, observer);
            assertTrue(compared[0] >= c.path("stored_steps").size(), "every stored step was compared");
            tolerances.get("latents").check(caseName + " final latents",
                    tensors.readFloats(c.path("final_latents_key").asText()), image.latents());
            if (tensors.contains(caseName + ".image_decoded")) {
                tolerances.get("image_decoded").check(caseName + " image_decoded", tensors.readFloats(caseName + ".image_decoded"),
                        image.decoded());
            }
            if (tensors.contains(caseName + ".image_np")) {
                tolerances.get("image_np").check(caseName + " image_np", tensors.readFloats(caseName + ".image_np"),
                        PixelConversion.toUnitHwc(image.decoded(), height, width));
            }
            byte[] goldenPixels = tensors.readBytes(caseName + ".image_uint8");
            checkUint8(caseName + " uint8", goldenPixels, image.rgb(), uint8Rule);

            Path png = temp.resolve(caseName + ".png");
            PixelConversion.writePng(image.toBufferedImage(), png);
            BufferedImage written = ImageIO.read(png.toFile());
            BufferedImage reference = ImageIO.read(golden.resolve(c.path("png").asText()).toFile());
            checkUint8(caseName + " PNG", rgbOf(reference), rgbOf(written), uint8Rule);
        }
    }

    /**
     * The rows diffusers loaded from the case's embedding file, under its first token: one embedding, or per text
     * encoder ({@code diffusers_load/<file>/text_encoder(_2)}) SDXL's clip_l and clip_g halves.
     */
    private static List<Embedding> loadedEmbedding(JsonNode ti, SafetensorsFile expectedRows, int encoders)
            throws IOException {
        String file = Path.of(ti.path("file").asText()).getFileName().toString();
        String trigger = ti.path("tokens").get(0).asText();
        int vectors = ti.path("tokens").size();
        if (encoders == 1) {
            float[] rows = expectedRows.readFloats("diffusers_load/" + file);
            return List.of(new Embedding(trigger, new int[] {vectors, rows.length / vectors}, rows, "fixture"));
        }
        List<Embedding> parts = new ArrayList<>();
        for (int e = 0; e < encoders; e++) {
            float[] rows = expectedRows.readFloats("diffusers_load/" + file + "/" + encoderFolder(e));
            parts.add(new Embedding(trigger, new int[] {vectors, rows.length / vectors}, rows, "fixture",
                    org.neologism.core.embedding.Embedding.SDXL_ENCODERS.get(e)));
        }
        return parts;
    }

    /** diffusers' component names: text_encoder, text_encoder_2; the fixtures' per-encoder key suffixes follow them. */
    private static String encoderFolder(int encoder) {
        return encoder == 0 ? "text_encoder" : "text_encoder_" + (encoder + 1);
    }

    /** Each encoder's 77 ids: {@code <key>} for the first, {@code <key>_2} for SDXL's second. */
    private static void checkIds(SafetensorsFile tensors, String key, PromptEncoder encoder, String text) throws IOException {
        for (int e = 0; e < encoder.encoderCount(); e++) {
            String name = key + (e == 0 ? "" : "_" + (e + 1));
            assertTrue(tensors.contains(name), name + " is not recorded");
            assertArrayEquals(tensors.readLongs(name), encoder.ids(text, e), name);
        }
    }

    /** {@code <prefix>prompt_embeds} and, where the pipeline pools (SDXL), {@code <prefix>pooled_prompt_embeds}. */
    private static void checkConditioning(SafetensorsFile tensors, JsonNode keys, String prefix, String caseName,
                                          EncodedPrompt actual, Tolerance tolerance) throws IOException {
        tolerance.check(caseName + " " + prefix + "prompt_embeds",
                tensors.readFloats(keys.path(prefix + "prompt_embeds").asText()), actual.embeds());
        String pooled = prefix + "pooled_prompt_embeds";
        assertEquals(keys.has(pooled), actual.pooled() != null, caseName + ": " + pooled + " recorded iff the pipeline pools");
        if (actual.pooled() != null) {
            tolerance.check(caseName + " " + pooled, tensors.readFloats(keys.path(pooled).asText()), actual.pooled());
        }
    }

    private static int check(SafetensorsFile tensors, String key, NDArray actual, Tolerance tolerance) {
        if (!tensors.contains(key)) {
            return 0;
        }
        assertTrue(actual != null, key + " is recorded, but the loop has no such tensor");
        try {
            tolerance.check(key, tensors.readFloats(key), actual.toType(DataType.FLOAT32, false).toFloatArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return key.endsWith(".latents") ? 1 : 0;
    }

    private static void checkUint8(String what, byte[] golden, int[] actual, JsonNode rule) {
        assertEquals(golden.length, actual.length, what + " size");
        int maxAbs = 0;
        int differing = 0;
        for (int i = 0; i < golden.length; i++) {
            int diff = Math.abs((golden[i] & 0xff) - actual[i]);
            maxAbs = Math.max(maxAbs, diff);
            differing += diff == 0 ? 0 : 1;
        }
        double fraction = (double) differing / golden.length;
        System.out.printf("%s: max|diff| %d, %.4f%% differ%n", what, maxAbs, fraction * 100);
        assertTrue(maxAbs <= rule.path("max_abs").asInt(), what + ": a pixel differs by " + maxAbs);
        assertTrue(fraction <= rule.path("max_frac_differing").asDouble(), what + ": " + fraction + " of the values differ");
    }

    private static byte[] rgbOf(BufferedImage image) {
        byte[] out = new byte[image.getWidth() * image.getHeight() * 3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int p = (y * image.getWidth() + x) * 3;
                out[p] = (byte) (rgb >> 16);
                out[p + 1] = (byte) (rgb >> 8);
                out[p + 2] = (byte) rgb;
            }
        }
        return out;
    }

    private static void checkUint8(String what, byte[] golden, byte[] actual, JsonNode rule) {
        int[] values = new int[actual.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = actual[i] & 0xff;
        }
        checkUint8(what, golden, values, rule);
    }

    /** Euler a: the noise the reference drew at step k; other samplers draw none. */
    private static NoiseSource recordedNoise(SafetensorsFile tensors, String caseName, Shape shape) throws IOException {
        float[] all = tensors.contains(caseName + ".noise") ? tensors.readFloats(caseName + ".noise") : null;
        int size = Math.toIntExact(shape.size());
        return new NoiseSource() {
            @Override
            public NDArray initial(NDManager manager, Shape s) {
                throw new AssertionError("the parity cases start from the fixed init_latents");
            }

            @Override
            public NDArray step(NDManager manager, int step, Shape s) {
                assertTrue(all != null, caseName + " drew noise, but the reference recorded none");
                return manager.create(Arrays.copyOfRange(all, step * size, (step + 1) * size), s);
            }
        };
    }

    /** sampling.json, which holds non-finite numbers (DPM's lambda_min_clipped -inf). */
    private static JsonNode readIndex(GoldenVariant variant) {
        try {
            return JSON.readTree(variant.file("sampling.json").toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode caseNamed(JsonNode index, String name) {
        for (JsonNode c : index.path("sections").path("cases")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name);
    }

    private static long[] toLongs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}

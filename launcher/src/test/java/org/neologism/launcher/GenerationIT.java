package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Seeing what was learned, in the built distribution: a run with {@code --validation_prompt} writes its
 * validation images and contact sheets and lists them in the run log, trains exactly as a run without
 * the flag (which writes no images), and {@code ti:generate} draws the installed embedding by its trigger, on SD and
 * on SDXL models (an SDXL {@code {clip_l, clip_g}} file, each half into its own text encoder).
 */
class GenerationIT {

    private static final String TRIGGER = "<seen-toy>";
    /** sampling.json holds non-finite numbers (DPM's lambda_min_clipped -inf). */
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    static Path shared;

    @TempDir
    Path home;

    private static Path root;

    @BeforeAll
    static void demoModelAndImages() throws Exception {
        root = shared.resolve("root");
        Distribution.Run demo = new Distribution(Files.createDirectories(shared.resolve("home")))
                .run(300, "--run", "ti:demo --root " + root + " --steps 1");
        assertEquals(0, demo.exitCode(), demo.out() + demo.err());
    }

    private static Path model() {
        return root.resolve("models/neologism-demo-tiny-sd1");
    }

    private String train(Path output, String... extra) {
        return "ti:train --wait --root " + root + " --model " + model() + " --placeholder_token '" + TRIGGER + "'"
                + " --train_data_dir " + root.resolve("text-inversion-training-data/neologism-toy") + " --output_dir "
                + output + " --resolution 32 --train_batch_size 2 --max_train_steps 4 --learning_rate 5e-3 --no-scale_lr"
                + " --seed 7 " + String.join(" ", extra);
    }

    @Test
    void validationImagesAreWrittenAndListedAndLeaveTheTrainingUnchanged() throws Exception {
        Distribution distribution = new Distribution(home);
        Path plain = shared.resolve("plain");
        Distribution.Run without = distribution.run(300, "--run", train(plain));
        assertEquals(0, without.exitCode(), without.out() + without.err());
        assertFalse(Files.exists(plain.resolve("validation")), "a run without --validation_prompt draws nothing");
        assertTrue(without.out().contains("moved"), "the end-of-run report: " + without.out());

        Path validated = shared.resolve("validated");
        Distribution.Run with = distribution.run(900, "--run", train(validated, "--validation_prompt 'a photo of "
                + TRIGGER + "' --num_validation_images 2 --validation_steps 2"));
        assertEquals(0, with.exitCode(), with.out() + with.err());
        String log = Files.readString(validated.resolve("logs/train.log"));
        for (int step : new int[] {2, 4}) {
            BufferedImage first = png(validated.resolve("validation/step-" + step + "-0.png"));
            BufferedImage second = png(validated.resolve("validation/step-" + step + "-1.png"));
            BufferedImage sheet = png(validated.resolve("validation/step-" + step + "-grid.png"));
            assertEquals(first.getWidth(), second.getWidth());
            assertEquals(2 * first.getWidth(), sheet.getWidth(), "the contact sheet holds both images side by side");
            assertTrue(log.contains("Validation images of step " + step), log);
            assertTrue(log.contains(validated.resolve("validation/step-" + step + "-grid.png").toString()), log);
        }
        assertTrue(log.contains("from the initializer"), log);
        assertArrayEquals(Files.readAllBytes(plain.resolve("learned_embeds.safetensors")),
                Files.readAllBytes(validated.resolve("learned_embeds.safetensors")),
                "validation must not change what is trained (its noise is not the training's)");
    }

    @Test
    void generateDrawsTheInstalledEmbeddingByItsTrigger() throws Exception {
        Distribution distribution = new Distribution(home);
        assertEquals(0, distribution.run(300, "--run", train(shared.resolve("installed"))).exitCode());
        Path out = shared.resolve("generated");
        Distribution.Run generated = distribution.run(300, "--run", "ti:generate --root " + root + " --model " + model()
                + " --prompt 'a photo of " + TRIGGER + " on a beach' --negative_prompt blurry --sampler euler_a --steps 3"
                + " --num_images 2 --seed 5 --output " + out);
        assertEquals(0, generated.exitCode(), generated.out() + generated.err());
        assertTrue(generated.out().contains("Using " + TRIGGER), generated.out());
        BufferedImage image = png(out.resolve("5-0.png"));
        png(out.resolve("5-1.png"));
        assertEquals(2 * image.getWidth(), png(out.resolve("5-grid.png")).getWidth());

        Distribution.Run again = distribution.run(300, "--run", "ti:generate --root " + root + " --model " + model()
                + " --prompt 'a photo of " + TRIGGER + " on a beach' --negative_prompt blurry --sampler euler_a --steps 3"
                + " --seed 5 --output " + shared.resolve("again"));
        assertEquals(0, again.exitCode(), again.out() + again.err());
        assertArrayEquals(Files.readAllBytes(out.resolve("5-0.png")), Files.readAllBytes(shared.resolve("again/5-0.png")),
                "the same seed draws the same image");

        Distribution.Run unknown = distribution.run(300, "--run", "ti:generate --root " + root + " --model " + model()
                + " --prompt x --sampler nonsense");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("ti:samplers lists"), unknown.err());
    }

    @Test
    void generateDrawsAnSdxlModelWithAClipLClipGEmbeddingByItsTrigger() throws Exception {
        // the SDXL variant is recognised from its model's pipeline class, never by its folder name; its first
        // sampling case names the embedding file and the trigger diffusers loaded it under
        GoldenVariant sdxl = Fixtures.goldenVariants().stream()
                .filter(v -> v.architecture().pipelineClass().equals("StableDiffusionXLPipeline"))
                .filter(v -> Files.isRegularFile(v.file("sampling.json"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no SDXL golden variant with sampling.json in " + Fixtures.root()));
        JsonNode first = JSON.readTree(sdxl.file("sampling.json").toFile()).path("sections").path("cases").get(0);
        Path embedding = sdxl.folder().resolve(first.path("textual_inversion").path("file").asText());
        String trigger = first.path("textual_inversion").path("tokens").get(0).asText();
        Path sdxlRoot = shared.resolve("sdxl-root");
        Path out = shared.resolve("sdxl-generated");
        String generate = "ti:generate --root " + sdxlRoot + " --model " + sdxl.modelDir() + " --prompt '"
                + first.path("prompt").asText() + "' --steps 3 --seed 9 --output " + out;
        Distribution.Run run = new Distribution(home).run(600, "-Dneologism.root=" + sdxlRoot,
                "--run", "ti:import --trigger '" + trigger + "' " + embedding,
                "--run", generate + " --num_images 2",
                "--run", generate.replace(out.toString(), out.resolve("negative").toString())
                        + " --negative_prompt blurry --sampler euler_a");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("Using " + trigger), run.out());
        assertTrue(run.out().contains("s per sampler step"), run.out());
        BufferedImage image = png(out.resolve("9-0.png"));
        assertEquals(first.path("width").asInt(), image.getWidth(), "the pipeline's default size");
        assertEquals(first.path("height").asInt(), image.getHeight(), "the pipeline's default size");
        png(out.resolve("9-1.png"));
        assertEquals(2 * image.getWidth(), png(out.resolve("9-grid.png")).getWidth());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(out.resolve("9-0.png")),
                Files.readAllBytes(out.resolve("negative/9-0.png"))), "a negative prompt and another sampler change the image");
    }

    private static BufferedImage png(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " is missing");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image");
        return image;
    }
}

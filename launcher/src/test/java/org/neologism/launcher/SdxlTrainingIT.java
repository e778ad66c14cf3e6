package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDXL in the built distribution, as a user runs it: a tiny SDXL model written by {@code ti:model create},
 * listed by {@code ti:models} with both token widths, trained for a few steps in fp32 (with validation images drawn
 * through the SDXL pipeline, then ti:generate with the installed embedding) and fp16, leaving diffusers' pair of files and installing one {@code {clip_l, clip_g}}
 * file into the library.
 */
class SdxlTrainingIT {

    private static final String TRIGGER = "<xl-toy>";

    @TempDir
    Path home;

    @TempDir
    Path work;

    private static Path images() {
        // the SDXL variant is recognised from its model's pipeline class, never by its folder name
        return org.neologism.testsupport.Fixtures.goldenVariants().stream()
                .filter(v -> v.architecture().pipelineClass().equals("StableDiffusionXLPipeline"))
                .map(v -> v.folder().resolve("train_images")).filter(java.nio.file.Files::isDirectory).findFirst()
                .orElseThrow(() -> new IllegalStateException("no SDXL golden variant with train_images/ in "
                        + org.neologism.testsupport.Fixtures.root()));
    }

    private String train(Path root, Path model, Path output, String... extra) {
        return "ti:train --wait --root " + root + " --model " + model + " --placeholder_token '" + TRIGGER + "'"
                + " --train_data_dir " + images() + " --output_dir " + output
                + " --resolution 32 --train_batch_size 2 --max_train_steps 3 --save_steps 2 --checkpointing_steps 2"
                + " --learning_rate 5e-3 --no-scale_lr --seed 3 " + String.join(" ", extra);
    }

    @Test
    void aTinySdxlModelTrainsBothEncodersAndInstallsAClipLClipGFile() throws Exception {
        Path root = work.resolve("root");
        Path model = root.resolve("models/tiny-xl");
        Path output = work.resolve("out");
        Distribution.Run run = new Distribution(home).run(600, "-Dneologism.root=" + root,
                "--run", "ti:model create " + model + " --arch tiny-sdxl",
                "--run", "ti:models --root " + root,
                "--run", train(root, model, output, "--validation_prompt 'a photo of " + TRIGGER + "'"
                        + " --num_validation_images 2 --validation_steps 2"),
                "--run", "ti:embeddings",
                "--run", "ti:generate --root " + root + " --model " + model + " --prompt 'a photo of " + TRIGGER + "'"
                        + " --steps 2 --seed 4 --output " + output.resolve("generated"));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("Stable Diffusion XL"), run.out());
        assertTrue(run.out().contains("32+48"), "ti:models shows both widths: " + run.out());
        for (String file : List.of("learned_embeds.safetensors", "learned_embeds_2.safetensors", "xl-toy.safetensors",
                "learned_embeds-steps-2.safetensors", "learned_embeds_2-steps-2.safetensors", "checkpoint-2", "loss.csv")) {
            assertTrue(Files.exists(output.resolve(file)), file + " is missing from " + output);
        }
        assertTrue(Files.isRegularFile(root.resolve("embeddings/xl-toy/xl-toy.safetensors")), "installed {clip_l, clip_g} file");
        assertTrue(run.out().contains("clip_l") && run.out().contains("clip_g"), run.out());
        // the trained embedding, installed as one {clip_l, clip_g} file, draws by its trigger
        assertTrue(run.out().contains("Using " + TRIGGER), run.out());
        png(output.resolve("generated/4-0.png"));
        // validation images through the SDXL pipeline: at step 2 and at the end (step 3), two images and a sheet each
        String log = Files.readString(output.resolve("logs/train.log"));
        for (int step : new int[] {2, 3}) {
            BufferedImage first = png(output.resolve("validation/step-" + step + "-0.png"));
            png(output.resolve("validation/step-" + step + "-1.png"));
            assertEquals(2 * first.getWidth(), png(output.resolve("validation/step-" + step + "-grid.png")).getWidth());
            assertTrue(log.contains("Validation images of step " + step), log);
        }

        Path fp16 = work.resolve("fp16");
        Distribution.Run half = new Distribution(home).run(600, "--run", train(root, model, fp16, "--mixed_precision fp16"));
        assertEquals(0, half.exitCode(), half.out() + half.err());
        assertTrue(Files.isRegularFile(fp16.resolve("learned_embeds_2.safetensors")), "fp16 run wrote its pair");
        String halfLog = Files.readString(fp16.resolve("logs/train.log"));
        assertEquals(!cpuComputesInFp16(), halfLog.contains("WARNING: --mixed_precision fp16 on a CPU"),
                "fp16 on a CPU without fp16 arithmetic is warned about, and only there: " + halfLog);
    }

    /** Whether this machine's CPU has fp16 arithmetic (the flags the trainer's warning reads). */
    private static boolean cpuComputesInFp16() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return false;
        }
        String flags = Files.readAllLines(cpuinfo).stream().filter(line -> line.startsWith("flags")).findFirst()
                .orElse("");
        return java.util.Arrays.asList(flags.split("\\s+")).stream()
                .anyMatch(flag -> flag.equals("avx512_fp16") || flag.equals("amx_fp16"));
    }

    private static BufferedImage png(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " is missing");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image");
        return image;
    }
}

package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDXL in the built distribution, as a user runs it: a tiny SDXL model written by {@code ti:model create},
 * listed by {@code ti:models} with both token widths, trained for a few steps in fp32 and fp16, leaving diffusers'
 * pair of files and installing one {@code {clip_l, clip_g}} file into the library.
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
                "--run", train(root, model, output),
                "--run", "ti:embeddings");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("Stable Diffusion XL"), run.out());
        assertTrue(run.out().contains("32+48"), "ti:models shows both widths: " + run.out());
        for (String file : List.of("learned_embeds.safetensors", "learned_embeds_2.safetensors", "xl-toy.safetensors",
                "learned_embeds-steps-2.safetensors", "learned_embeds_2-steps-2.safetensors", "checkpoint-2", "loss.csv")) {
            assertTrue(Files.exists(output.resolve(file)), file + " is missing from " + output);
        }
        assertTrue(Files.isRegularFile(root.resolve("embeddings/xl-toy/xl-toy.safetensors")), "installed {clip_l, clip_g} file");
        assertTrue(run.out().contains("clip_l") && run.out().contains("clip_g"), run.out());

        Path fp16 = work.resolve("fp16");
        Distribution.Run half = new Distribution(home).run(600, "--run", train(root, model, fp16, "--mixed_precision fp16"));
        assertEquals(0, half.exitCode(), half.out() + half.err());
        assertTrue(Files.isRegularFile(fp16.resolve("learned_embeds_2.safetensors")), "fp16 run wrote its pair");
    }
}

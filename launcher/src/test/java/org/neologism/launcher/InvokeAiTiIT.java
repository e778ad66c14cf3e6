package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's {@code bin/invokeai-ti} as a user runs it: InvokeAI's command line, its exit codes and
 * one-line messages, a short real training run on a tiny model named in configs/models.yaml, and
 * {@code help ti:train} documenting the same options as {@code --help}. Temporary home and root only.
 */
class InvokeAiTiIT {

    @TempDir
    static Path work;
    static Path home;
    static Path root;
    static Path images;

    record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void tinyModelAndImages() throws Exception {
        home = Files.createDirectories(work.resolve("home"));
        root = work.resolve("root");
        Run created = neologism(Map.of(), "--run", "ti:model create " + root.resolve("models/tiny") + " --arch tiny-sd1");
        assertEquals(0, created.exitCode(), created.err());
        images = Files.createDirectories(work.resolve("images"));
        for (int i = 0; i < 3; i++) {
            BufferedImage image = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 48; x++) {
                    image.setRGB(x, y, (x * 5 + i * 60) << 16 | (y * 6) << 8 | (x + y + i * 30) & 0xff);
                }
            }
            ImageIO.write(image, "png", images.resolve("image-" + i + ".png").toFile());
        }
        Files.createDirectories(root.resolve("configs"));
        Files.writeString(root.resolve("configs/models.yaml"), """
                tiny-from-yaml:
                  description: the tiny SD 1.x layout, untrained
                  format: diffusers
                  path: models/tiny
                old-checkpoint:
                  description: a legacy checkpoint
                  format: ckpt
                  weights: models/ldm/old.ckpt
                """);
    }

    static Run invokeaiTi(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return start("bin/invokeai-ti", environment, args);
    }

    static Run invokeaiTi(String... args) throws IOException, InterruptedException {
        return invokeaiTi(Map.of(), args);
    }

    static Run neologism(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return start("bin/neologism", environment, args);
    }

    private static Run start(String script, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("invokeai-ti-out", ".txt");
        Path err = Files.createTempFile("invokeai-ti-err", ".txt");
        List<String> command = new ArrayList<>();
        command.add(Distribution.HOME.resolve(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("NEOLOGISM_ROOT");
        builder.environment().remove("INVOKEAI_ROOT");
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " " + String.join(" ", args) + " did not exit within 300 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(Run run, String expectedStart) {
        assertEquals(2, run.exitCode(), run.out() + run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("invokeai-ti: error: " + expectedStart), run.err());
    }

    private String[] tiny(String... more) {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--model", "tiny-from-yaml"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void helpDocumentsEveryOptionAndHelpTiTrainDocumentsTheSame() throws Exception {
        Run help = invokeaiTi("--help");
        assertEquals(0, help.exitCode(), help.err());
        for (String option : List.of("--model", "--resolution", "--learnable_property", "--initializer_token",
                "--placeholder_token", "--train_data_dir", "--output_dir", "--scale_lr", "--no-scale_lr",
                "--train_batch_size", "--gradient_accumulation_steps", "--max_train_steps", "--learning_rate",
                "--resume_from_checkpoint", "--lr_scheduler", "--mixed_precision", "--only_save_embeds", "--root", "--help",
                "--gui", "--center_crop", "--repeats", "--num_vectors", "--lr_warmup_steps", "--lr_num_cycles",
                "--adam_beta1", "--adam_beta2", "--adam_weight_decay", "--adam_epsilon", "--gradient_checkpointing",
                "--checkpointing_steps", "--save_steps", "--seed")) {
            assertTrue(help.out().contains(option), option);
        }
        assertTrue(help.out().contains("optimiser steps (default 5000)"), help.out());

        Run gogoHelp = neologism(Map.of(), "--run", "help ti:train");
        assertEquals(0, gogoHelp.exitCode(), gogoHelp.err());
        String gogo = gogoHelp.out().replaceAll("\\s+", " ");
        Matcher rows = Pattern.compile("(?m)^  (--[a-z_-]+)").matcher(help.out());
        int options = 0;
        while (rows.find()) {
            if (!rows.group(1).equals("--help") && !rows.group(1).equals("--gui")) {
                assertTrue(gogo.contains(rows.group(1)), rows.group(1) + " is missing from help ti:train");
                options++;
            }
        }
        assertTrue(options >= 35, "options listed: " + options);
        assertTrue(gogo.contains("optimiser steps (default 5000)"), gogo);
    }

    @Test
    void anUnknownOptionIsOneLineSuggestingTheClosest() throws Exception {
        assertOneLineError(invokeaiTi("--placeholder_token", "<t>", "--max_train_step", "3", "--learning-rat", "1e-4"),
                "unrecognized option --learning-rat; did you mean --learning_rate?");
    }

    @Test
    void aMissingImagesFolderIsOneLine() throws Exception {
        assertOneLineError(invokeaiTi(tiny("--placeholder_token", "<nowhere>")),
                "the training images folder " + root.resolve("text-inversion-training-data/nowhere") + " does not exist");
    }

    @Test
    void anInitializerOfSeveralTokensIsOneLine() throws Exception {
        assertOneLineError(invokeaiTi(tiny("--placeholder_token", "<t>", "--train_data_dir", images.toString(),
                "--initializer_token", "two words")), "--initializer_token 'two words' is ");
    }

    @Test
    void aTriggerThatIsAlreadyATokenIsOneLine() throws Exception {
        assertOneLineError(invokeaiTi(tiny("--placeholder_token=a", "--train_data_dir=" + images)),
                "--placeholder_token a: The tokenizer already contains the token a.");
    }

    @Test
    void aCheckpointModelFromModelsYamlWhoseWeightsAreMissingIsRefusedNamingTheFile() throws Exception {
        Run run = invokeaiTi("--root", root.toString(), "--model", "old-checkpoint", "--placeholder_token", "<t>",
                "--train_data_dir", images.toString());
        assertOneLineError(run, "--model old-checkpoint is a ckpt model");
        assertTrue(run.err().contains(root.resolve("models/ldm/old.ckpt") + " (" + root.resolve("configs/models.yaml")
                + ") do not exist"), run.err());
    }

    @Test
    void aBadNumberAndAnUnknownScheduleAreOneLine() throws Exception {
        assertOneLineError(invokeaiTi("--resolution", "big"), "--resolution expects a whole number, not 'big'");
        assertOneLineError(invokeaiTi(tiny("--placeholder_token", "<t>", "--train_data_dir", images.toString(),
                "--lr_scheduler", "sawtooth")), "--lr_scheduler sawtooth is not a registered schedule; choose one of constant,");
    }

    @Test
    void theRootComesFromNeologismRootAndIsCreatedWithTheGuidesLayout() throws Exception {
        Path fresh = work.resolve("fresh-root");
        Run run = invokeaiTi(Map.of("NEOLOGISM_ROOT", fresh.toString()), "--placeholder_token", "<t>");
        assertOneLineError(run, "--model stable-diffusion-1.5 is neither a diffusers model folder nor a checkpoint file"
                + " nor a model under " + fresh.resolve("models"));
        for (String folder : List.of("embeddings", "text-inversion-training-data", "text-inversion-output", "configs", "models")) {
            assertTrue(Files.isDirectory(fresh.resolve(folder)), folder);
        }
        assertFalse(Files.exists(home.resolve("neologism")), "nothing may be written to the home folder");
    }

    @Test
    void modelsListsModelsYamlAndTheModelsFolderWithTokenWidths() throws Exception {
        Run run = neologism(Map.of(), "--run", "ti:models --root " + root);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*tiny-from-yaml\\s+diffusers\\s+SD-like\\s+32\\s+" + Pattern.quote(
                root.resolve("models/tiny").toString()) + ".*"), run.out());
        assertTrue(run.out().matches("(?s).*old-checkpoint\\s+ckpt\\s+ckpt \\(weights missing\\).*"), run.out());
    }

    @Test
    void aValueTheRunCannotUseExitsTwoBeforeAnythingLoads() throws Exception {
        assertOneLineError(invokeaiTi(tiny("--placeholder_token", "<t>", "--train_data_dir", images.toString(),
                "--resolution", "30")), "--resolution must be a positive multiple of 8");
        Path empty = Files.createDirectories(work.resolve("no-images"));
        Files.writeString(empty.resolve("notes.txt"), "not an image");
        assertOneLineError(invokeaiTi(tiny("--placeholder_token", "<t>", "--train_data_dir", empty.toString())),
                "the training images folder " + empty + " holds no image");
    }

    @Test
    void aRunThatFailsExitsOneWithItsErrorOnceAndNoBar() throws Exception {
        Run run = invokeaiTi(tiny("--placeholder_token", "<failing>", "--train_data_dir", images.toString(),
                "--resolution=32", "--train_batch_size", "1", "--max_train_steps", "2", "--seed", "1",
                "--resume_from_checkpoint", work.resolve("nowhere/checkpoint-3").toString()));
        assertEquals(1, run.exitCode(), run.out() + run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("invokeai-ti: error: "), run.err());
        String error = lines.get(0).substring("invokeai-ti: error: ".length());
        assertFalse(run.out().contains(error), "the error is printed twice:\n" + run.out());
        assertFalse(run.out().contains("0/2"), "a stale progress bar:\n" + run.out());
    }

    @Test
    void everyCommandDocumentsItselfInHelpWhateverItsName() throws Exception {
        Run run = neologism(Map.of(), "--run", "help ti:import", "--run", "help ti:tensor-check", "--run", "help ti:models",
                "--run", "help");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains("No methods found"), run.out());
        assertTrue(run.out().contains("Install an embedding (any known format"), run.out());
        assertTrue(run.out().contains("--trigger"), run.out());
        assertTrue(run.out().contains("Run a small forward and backward pass on the engine"), run.out());
        assertTrue(run.out().contains("List the installed base models"), run.out());
        for (String command : List.of("ti:import", "ti:tensor-check", "ti:train", "ti:models", "ti:info")) {
            assertTrue(run.out().lines().anyMatch(command::equals), command + " is not listed by help:\n" + run.out());
        }
    }

    @Test
    void theConsoleFormNeedsATerminal() throws Exception {
        assertOneLineError(invokeaiTi("--gui", "--root", root.toString()), "--gui needs an interactive terminal");
    }

    @Test
    void aShortRealRunTrainsAnAngleBracketTriggerAndInstallsIt() throws Exception {
        Run run = invokeaiTi(tiny("--placeholder_token", "<cat-toy>", "--train_data_dir", images.toString(),
                "--resolution=32", "--train_batch_size", "3", "--max_train_steps", "2", "--learning_rate", "5e-3",
                "--no-scale_lr", "--lr_warmup_steps", "0", "--seed", "42", "--save_steps", "1", "--only_save_embeds"));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("| 2/2"), run.out());
        Path output = root.resolve("text-inversion-output/cat-toy");
        assertTrue(Files.size(output.resolve("learned_embeds.bin")) > 0);
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds-steps-1.bin")), "save_steps 1 wrote step 1");
        assertTrue(Files.isRegularFile(root.resolve("embeddings/cat-toy/learned_embeds.bin")));
        assertEquals("", run.err());
    }
}

package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.CheckpointFamily;

/**
 * Training on the checkpoints people have, in the distribution: invokeai-ti trains from a single .safetensors
 * file given by path and from an InvokeAI 2.3 {@code format: ckpt} entry of configs/models.yaml, and from an SDXL
 * single file (both encoders, one installed {@code {clip_l, clip_g}} file); ti:models lists them with their
 * detected architecture and token widths. The tiny fixtures' sizes cannot be written in an LDM YAML (the
 * fixtures README), so their diffusers folder is given as the config ({@code --original_config}, {@code config:}),
 * as diffusers' {@code from_single_file(config=folder)} takes it.
 */
class SingleFileIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static Path home;
    static Path root;
    static Path images;
    static Path safetensors;
    static Path ckpt;
    static Path configFolder;
    static String initializer;
    /** A float32 SDXL single file, its diffusers folder and the initializer its golden data trains with. */
    static Path sdxl;
    static Path sdxlConfigFolder;
    static String sdxlInitializer;

    record Run(int exitCode, String out, String err) {}

    /** A float32 .safetensors and a .ckpt of the first variant Neologism trains that has both, and its folder. */
    @BeforeAll
    static void checkpointsRootAndImages() throws Exception {
        Path fixtures = org.neologism.testsupport.Fixtures.root();
        JsonNode index = JSON.readTree(fixtures.resolve("single-file/index.json").toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = index.path("variants").fields(); it.hasNext() && ckpt == null; ) {
            Map.Entry<String, JsonNode> variant = it.next();
            Path dir = fixtures.resolve(variant.getValue().path("dir").asText());
            JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
            Path safe = null;
            Path pickled = null;
            for (Iterator<Map.Entry<String, JsonNode>> files = expected.path("files").fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> file = files.next();
                Path path = dir.resolve(file.getKey());
                if (!CheckpointFamily.isCheckpointFile(path) || !CheckpointFamily.of(path).family().trainable()) {
                    continue;
                }
                boolean float32 = file.getValue().path("dtype").asText().startsWith("float32");
                if (file.getKey().endsWith(".safetensors") && float32 && safe == null) {
                    safe = path;
                } else if (file.getKey().endsWith(".ckpt") && pickled == null) {
                    pickled = path;
                }
            }
            if (safe != null && pickled != null) {
                safetensors = safe;
                ckpt = pickled;
                configFolder = fixtures.resolve(expected.path("source_folder").path("path").asText());
                initializer = goldenVariantOf(configFolder).section("tokenizer").path("initializer_token").asText();
            }
        }
        assertTrue(ckpt != null, "no variant with a float32 .safetensors and a .ckpt");
        findSdxl(fixtures, index);

        home = Files.createDirectories(work.resolve("home"));
        root = work.resolve("root");
        Files.createDirectories(root.resolve("models/ldm/stable-diffusion-v1"));
        Files.copy(ckpt, root.resolve("models/ldm/stable-diffusion-v1/tiny.ckpt"));
        Files.copy(safetensors, root.resolve("models/loose-tiny.safetensors"));
        Files.copy(sdxl, root.resolve("models/loose-xl.safetensors"));
        Files.createDirectories(root.resolve("configs"));
        Files.writeString(root.resolve("configs/models.yaml"), """
                tiny-ckpt:
                  description: the tiny model as an InvokeAI 2.3 checkpoint entry
                  format: ckpt
                  weights: models/ldm/stable-diffusion-v1/tiny.ckpt
                  config: %s
                """.formatted(configFolder));
        images = Files.createDirectories(work.resolve("images"));
        for (int i = 0; i < 3; i++) {
            BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 40; x++) {
                    image.setRGB(x, y, (x * 6 + i * 50) << 16 | (y * 6) << 8 | (x + y + i * 40) & 0xff);
                }
            }
            ImageIO.write(image, "png", images.resolve("image-" + i + ".png").toFile());
        }
    }

    /** The first float32 SDXL single file of the fixtures (recognised by its keys), with its folder and golden data. */
    /** The golden variant computed from {@code modelFolder}: the one whose index.json names it as its model_dir. */
    private static org.neologism.testsupport.GoldenVariant goldenVariantOf(Path modelFolder) throws IOException {
        Path wanted = modelFolder.toRealPath();
        for (org.neologism.testsupport.GoldenVariant golden : org.neologism.testsupport.Fixtures.goldenVariants()) {
            if (golden.modelDir().toRealPath().equals(wanted)) {
                return golden;
            }
        }
        throw new AssertionError("no golden variant was computed from " + modelFolder);
    }

    private static void findSdxl(Path fixtures, JsonNode index) throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = index.path("variants").fields(); it.hasNext() && sdxl == null; ) {
            Path dir = fixtures.resolve(it.next().getValue().path("dir").asText());
            JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
            for (Iterator<Map.Entry<String, JsonNode>> files = expected.path("files").fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> file = files.next();
                Path path = dir.resolve(file.getKey());
                if (CheckpointFamily.isCheckpointFile(path) && file.getValue().path("dtype").asText().startsWith("float32")
                        && CheckpointFamily.of(path).family() == CheckpointFamily.SDXL) {
                    sdxl = path;
                    sdxlConfigFolder = fixtures.resolve(expected.path("source_folder").path("path").asText());
                    break;
                }
            }
        }
        assertTrue(sdxl != null, "no float32 SDXL single file in " + fixtures.resolve("single-file"));
        Path folder = sdxlConfigFolder.toRealPath();
        for (org.neologism.testsupport.GoldenVariant golden : org.neologism.testsupport.Fixtures.goldenVariants()) {
            if (golden.modelDir().toRealPath().equals(folder)) {
                sdxlInitializer = golden.section("tokenizer").path("initializer_token").asText();
            }
        }
        assertTrue(sdxlInitializer != null && !sdxlInitializer.isEmpty(), "no golden data made from " + folder);
    }

    private static Run start(String script, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("single-file-out", ".txt");
        Path err = Files.createTempFile("single-file-err", ".txt");
        List<String> command = new ArrayList<>();
        command.add(Distribution.HOME.resolve(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("NEOLOGISM_ROOT");
        builder.environment().remove("INVOKEAI_ROOT");
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

    private static Run train(String model, String trigger, String... more) throws Exception {
        return trainWithInitializer(model, trigger, initializer, more);
    }

    private static Run trainWithInitializer(String model, String trigger, String initializerToken, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--model", model, "--placeholder_token",
                trigger, "--initializer_token", initializerToken, "--train_data_dir", images.toString(), "--resolution=32",
                "--train_batch_size", "2", "--max_train_steps", "2", "--learning_rate", "5e-3", "--no-scale_lr",
                "--lr_warmup_steps", "0", "--seed", "7"));
        args.addAll(List.of(more));
        return start("bin/invokeai-ti", args.toArray(String[]::new));
    }

    @Test
    void invokeaiTiTrainsFromASafetensorsFileGivenByPath() throws Exception {
        Run run = train(safetensors.toString(), "<single-file>", "--original_config", configFolder.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("| 2/2"), run.out());
        assertTrue(Files.size(root.resolve("text-inversion-output/single-file/learned_embeds.bin")) > 0);
        assertTrue(Files.isRegularFile(root.resolve("embeddings/single-file/learned_embeds.bin")));
    }

    @Test
    void anSdxlSingleFileTrainsBothEncodersAndInstallsOneClipLClipGFile() throws Exception {
        Run run = trainWithInitializer(sdxl.toString(), "<single-xl>", sdxlInitializer, "--original_config", sdxlConfigFolder.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("| 2/2"), run.out());
        Path output = root.resolve("text-inversion-output/single-xl");
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds.safetensors")), "first encoder's file");
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds_2.safetensors")), "second encoder's file");
        List<Integer> widths = CheckpointFamily.of(sdxl).tokenWidths();
        assertEquals(2, widths.size(), sdxl + ": two token widths");
        try (org.neologism.core.tensors.SafetensorsFile installed = org.neologism.core.tensors.SafetensorsFile.open(
                root.resolve("embeddings/single-xl/single-xl.safetensors"))) {
            assertEquals(java.util.Set.of("clip_l", "clip_g"), new java.util.HashSet<>(installed.names()));
            assertEquals(widths.get(0), (int) installed.entry("clip_l").shape()[1], "clip_l width");
            assertEquals(widths.get(1), (int) installed.entry("clip_g").shape()[1], "clip_g width");
        }
    }

    @Test
    void invokeaiTiTrainsFromAModelsYamlCkptEntry() throws Exception {
        Run run = train("tiny-ckpt", "<from-ckpt>");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("| 2/2"), run.out());
        assertTrue(Files.size(root.resolve("text-inversion-output/from-ckpt/learned_embeds.bin")) > 0);
    }

    @Test
    void aSingleFileWhoseSizesNeedAConfigIsRefusedNamingTheOption() throws Exception {
        Run run = train(root.resolve("models/loose-tiny.safetensors").toString(), "<no-config>");
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("--original_config") && run.err().contains("loose-tiny.safetensors"), run.err());
    }

    @Test
    void modelsListsTheCkptEntryAndTheLooseFileWithTheirArchitecture() throws Exception {
        Run models = start("bin/neologism", "--run", "ti:models --root " + root);
        assertEquals(0, models.exitCode(), models.err());
        String family = CheckpointFamily.of(ckpt).family().label();
        assertTrue(models.out().lines().anyMatch(line -> line.startsWith("tiny-ckpt") && line.contains(family)
                && line.contains("tiny.ckpt")), models.out());
        assertTrue(models.out().lines().anyMatch(line -> line.startsWith("loose-tiny") && line.contains(family)
                && line.contains("loose-tiny.safetensors")), models.out());
        String widths = CheckpointFamily.of(sdxl).tokenWidths().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining("+"));
        assertTrue(models.out().lines().anyMatch(line -> line.startsWith("loose-xl") && line.contains("SDXL single file")
                && !line.contains("not trainable") && line.contains(" " + widths + " ")), models.out());
    }

    @Test
    void modelInfoShowsAnSdxlFileWithBothTokenWidths() throws Exception {
        Run run = start("bin/neologism", "--run", "ti:model info --original_config " + sdxlConfigFolder + " " + sdxl);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        List<Integer> widths = CheckpointFamily.of(sdxl).tokenWidths();
        assertTrue(run.out().contains("Single file    " + CheckpointFamily.SDXL.label()), run.out());
        assertTrue(run.out().contains("Token widths   " + widths.get(0) + " + " + widths.get(1)), run.out());
    }

    @Test
    void modelInfoAndConvertWorkOnAFile() throws Exception {
        Path converted = work.resolve("converted");
        Run run = start("bin/neologism", "--run", "ti:model info --original_config " + configFolder + " " + ckpt,
                "--run", "ti:model convert --original_config " + configFolder + " " + ckpt + " " + converted,
                "--run", "ti:model info " + converted);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("Single file    " + CheckpointFamily.of(ckpt).family().label()), run.out());
        assertTrue(Files.isRegularFile(converted.resolve("model_index.json")), run.out());
        assertTrue(run.out().contains("unet/diffusion_pytorch_model.safetensors"), run.out());
    }
}

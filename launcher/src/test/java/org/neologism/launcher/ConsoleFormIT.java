package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code invokeai-ti --gui} driven in a real terminal (tmux): the fields and InvokeAI's form defaults, a
 * ckpt model refused when selected, the folders following the trigger, a real two-step run from OK with the
 * preview prompt's validation images, the
 * answers saved and offered again with "resume" ticked because checkpoints exist.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleFormIT {

    @TempDir
    static Path work;
    static Path home;
    static Path root;

    private String session;

    @BeforeAll
    static void tinyModelAndImages() throws Exception {
        home = Files.createDirectories(work.resolve("home"));
        root = work.resolve("root");
        ProcessBuilder builder = new ProcessBuilder(Distribution.HOME.resolve("bin/neologism").toString(), "--run",
                "ti:model create " + root.resolve("models/tiny") + " --arch tiny-sd1");
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("NEOLOGISM_ROOT");
        builder.environment().remove("INVOKEAI_ROOT");
        Process create = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(work.resolve("create.txt").toFile()).start();
        create.getOutputStream().close();
        assertTrue(create.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, create.exitValue(), Files.readString(work.resolve("create.txt")));
        Path images = Files.createDirectories(root.resolve("text-inversion-training-data/gui-toy"));
        for (int i = 0; i < 3; i++) {
            BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 40; x++) {
                    image.setRGB(x, y, (x * 6 + i * 50) << 16 | (y * 6) << 8 | (x * y + i) & 0xff);
                }
            }
            ImageIO.write(image, "png", images.resolve("image-" + i + ".png").toFile());
        }
        Files.createDirectories(root.resolve("configs"));
        Files.writeString(root.resolve("configs/models.yaml"), "old-checkpoint:\n  format: ckpt\n  weights: models/old.ckpt\n");
    }

    @AfterEach
    void closeTerminal() throws Exception {
        if (session != null) {
            tmux("kill-session", "-t", session);
        }
    }

    @Test
    @Order(1)
    void theFormShowsInvokeAisDefaultsRefusesACkptModelAndTrainsOnOk() throws Exception {
        open("--checkpointing_steps", "1");
        String screen = waitFor("Warmup steps:");
        Thread.sleep(1000);
        assertField(screen, "Model Name:", "tiny");
        assertField(screen, "Initializer:", Pattern.quote("*"));
        assertField(screen, "Image resolution \\(pixels\\):", "512");
        assertField(screen, "Mixed precision:", "fp16");
        assertField(screen, "Max training steps:", "2500");
        assertField(screen, "Batch size \\(reduce if you run out of memory\\):", "8");
        assertField(screen, "Learning rate:", "5e-4");
        assertField(screen, "Learning rate scheduler:", "constant");
        assertField(screen, "Gradient accumulation steps:", "4");
        assertField(screen, "Warmup steps:", "0");
        assertTrue(screen.contains("[x] Scale learning rate"), screen);
        assertTrue(screen.contains("[x] Use xformers acceleration"), screen);
        assertTrue(screen.contains("[ ] Center crop"), screen);

        // The model list: old-checkpoint (models.yaml, ckpt) then tiny (models/): choosing the ckpt is refused.
        keys("Enter");
        waitFor("│old-checkpoint");
        keys("Up", "Enter");
        waitFor("old-checkpoint is a ckpt model");
        keys("Enter");
        waitFor("│old-checkpoint");
        keys("Down", "Enter");
        waitFor("SD-like, token width 32");

        keys("C-n");
        type("<gui-toy>");
        // The folders follow the trigger (the text boxes show their beginning; the saved answers show all).
        screen = waitFor(root + "/text-inversion-output/");
        assertField(screen, "Data Training Directory:", Pattern.quote(root + "/text-inversion-training") + ".*");
        // Tab and Shift-Tab move too: to the initializer and back, then on to the resolution.
        keys("Tab", "BTab", "C-n", "C-p", "C-n", "C-n", "C-n", "C-n", "C-n");
        keys("End", "BSpace", "BSpace", "BSpace");
        type("32");
        keys("C-n", "C-n", "Enter", "Up", "Enter");
        replace(4, "2");
        replace(1, "3");
        replace(4, "5e-3");
        keys("C-n", "Space", "C-n", "C-n");
        replace(1, "1");
        screen = waitFor("[ ] Scale learning rate");
        assertField(screen, "Mixed precision:", "no");
        assertField(screen, "Max training steps:", "2");
        assertField(screen, "Learning rate:", "5e-3");
        assertField(screen, "Gradient accumulation steps:", "1");
        // The preview prompt, the last field: the run draws its validation images at the end.
        keys("C-n", "C-n");
        type("a photo of <gui-toy>");
        screen = waitFor("of <gui-toy>");
        assertField(screen, "Preview prompt \\(blank: none\\):", Pattern.quote("a photo of <gui-toy>"));
        keys("C-n", "Enter");

        screen = waitFor("EXIT=", 240);
        assertTrue(screen.contains("EXIT=0"), screen);
        assertTrue(screen.contains("Trained <gui-toy> in 2 steps"), screen);
        Path output = root.resolve("text-inversion-output/gui-toy");
        assertTrue(Files.isRegularFile(output.resolve("learned_embeds.bin")));
        assertTrue(Files.isRegularFile(output.resolve("validation/step-2-grid.png")), "the preview prompt's images");
        assertTrue(Files.isDirectory(output.resolve("checkpoint-2")), "--checkpointing_steps 1 from the command line");
        String answers = Files.readString(root.resolve("configs/neologism-ti.json"));
        assertTrue(answers.contains("\"--placeholder_token\" : \"<gui-toy>\""), answers);
        assertTrue(answers.contains("\"--max_train_steps\" : \"2\""), answers);
        assertTrue(answers.contains("\"--scale_lr\" : \"false\""), answers);
        assertTrue(answers.contains("\"--train_data_dir\" : \"" + root.resolve("text-inversion-training-data/gui-toy") + "\""),
                answers);
        assertTrue(answers.contains("\"--output_dir\" : \"" + output + "\""), answers);
        assertTrue(answers.contains("\"--validation_prompt\" : \"a photo of <gui-toy>\""), answers);
    }

    @Test
    @Order(2)
    void theNextFormOffersTheSavedAnswersAndTicksResumeBecauseCheckpointsExist() throws Exception {
        open();
        String screen = waitFor("Warmup steps:");
        Thread.sleep(1000);
        assertField(screen, "Trigger Term:", Pattern.quote("<gui-toy>"));
        assertField(screen, "Max training steps:", "2");
        assertField(screen, "Image resolution \\(pixels\\):", "32");
        assertField(screen, "Mixed precision:", "no");
        assertField(screen, "Preview prompt \\(blank: none\\):", Pattern.quote("a photo of <gui-toy>"));
        assertTrue(screen.contains("[x] Resume from last saved checkpoint"), screen);
        assertTrue(screen.contains("[ ] Scale learning rate"), screen);
        // From the first field, Shift-Tab wraps to the last one: Cancel.
        keys("BTab", "Enter");
        screen = waitFor("EXIT=");
        assertTrue(screen.contains("cancelled, nothing trained"), screen);
        assertTrue(screen.contains("EXIT=0"), screen);
    }

    private void open(String... options) throws Exception {
        session = "neologism-form-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        List<String> command = new ArrayList<>(List.of(Distribution.HOME.resolve("bin/invokeai-ti").toAbsolutePath().toString(),
                "--gui", "--root", root.toString()));
        command.addAll(List.of(options));
        String shell = "env -u NEOLOGISM_ROOT -u INVOKEAI_ROOT HOME='" + home + "' " + String.join(" ", command)
                + "; echo EXIT=$?; sleep 600";
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "45", shell);
    }

    /** Replaces the text of the next field: moves there, deletes {@code length} characters from its end, types. */
    private void replace(int length, String text) throws Exception {
        keys("C-n", "End");
        for (int i = 0; i < length; i++) {
            keys("BSpace");
        }
        type(text);
    }

    private static void assertField(String screen, String label, String valuePattern) {
        assertTrue(Pattern.compile("(?m)" + label + "\\s+" + valuePattern + "(\\s|$)").matcher(screen).find(),
                label + " " + valuePattern + " in\n" + screen);
    }

    private void keys(String... keys) throws Exception {
        for (String key : keys) {
            tmux("send-keys", "-t", session, key);
            Thread.sleep(150);
        }
    }

    private void type(String text) throws Exception {
        tmux("send-keys", "-t", session, "-l", text);
        Thread.sleep(200);
    }

    private String waitFor(String text) throws Exception {
        return waitFor(text, 60);
    }

    private String waitFor(String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = tmux("capture-pane", "-p", "-J", "-t", session);
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + text + "' did not appear within " + seconds + " s; the terminal shows:\n" + screen);
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }
}

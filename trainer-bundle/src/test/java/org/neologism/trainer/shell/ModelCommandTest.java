package org.neologism.trainer.shell;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ti:model create writes a loadable folder and ti:model info describes it; mistakes get messages that name the fix. */
class ModelCommandTest {

    private static String run(ThrowingRunnable command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void createThenInfo(@TempDir Path dir) throws Exception {
        ModelCommand command = new ModelCommand(null);
        Path model = dir.resolve("tiny");
        run(() -> command.model("tiny-sd2", 3, true, false, "", "", "create", model.toString()));
        assertTrue(Files.isRegularFile(model.resolve("unet/diffusion_pytorch_model.safetensors")));
        String info = run(() -> command.model("", 0, false, false, "", "", "info", model.toString()));
        assertTrue(info.contains("1,466,500 parameters") && info.contains("Token width    32")
                && info.contains("v_prediction") && info.contains("Stable Diffusion 2.x"), info);
    }

    @Test
    void mistakesAreExplained(@TempDir Path dir) {
        ModelCommand command = new ModelCommand(null);
        IllegalArgumentException noArch = assertThrows(IllegalArgumentException.class,
                () -> command.model("", 0, false, false, "", "", "create", dir.resolve("x").toString()));
        assertTrue(noArch.getMessage().contains("--arch"));
        IllegalArgumentException badArch = assertThrows(IllegalArgumentException.class,
                () -> command.model("sd3", 0, false, false, "", "", "create", dir.resolve("x").toString()));
        assertTrue(badArch.getMessage().contains("tiny-sd1, tiny-sd2, tiny-sdxl, sd15, sd21, sdxl"));
        RuntimeException notModel = assertThrows(RuntimeException.class,
                () -> command.model("", 0, false, false, "", "", "info", dir.toString()));
        assertTrue(notModel.getMessage().contains("model_index.json"), notModel.getMessage());
    }
}

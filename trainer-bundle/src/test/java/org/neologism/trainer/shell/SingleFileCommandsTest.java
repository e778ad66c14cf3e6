package org.neologism.trainer.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.root.CheckpointFamily;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * ti:model info describes a single file; ti:model convert writes it as a diffusers folder whose every tensor
 * equals the folder the file was made from, bit for bit (float32 safetensors fixtures).
 */
class SingleFileCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Path fixtures() {
        return org.neologism.testsupport.Fixtures.root();
    }

    /** (checkpoint, source folder) for every float32 single file of a family Neologism trains. */
    static List<Object[]> files() throws Exception {
        List<Object[]> cases = new ArrayList<>();
        JsonNode index = JSON.readTree(fixtures().resolve("single-file/index.json").toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = index.path("variants").fields(); it.hasNext(); ) {
            Path dir = fixtures().resolve(it.next().getValue().path("dir").asText());
            JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
            Path folder = fixtures().resolve(expected.path("source_folder").path("path").asText());
            for (Iterator<Map.Entry<String, JsonNode>> files = expected.path("files").fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> file = files.next();
                Path path = dir.resolve(file.getKey());
                if (CheckpointFamily.isCheckpointFile(path) && file.getValue().path("dtype").asText().startsWith("float32")
                        && CheckpointFamily.of(path).family().trainable()) {
                    cases.add(new Object[] {path, folder});
                }
            }
        }
        assertTrue(!cases.isEmpty());
        return cases;
    }

    private static String run(ModelCommandTest.ThrowingRunnable command) throws Exception {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void infoDescribesAndConvertWritesTheSourceFolder(Path file, Path folder, @TempDir Path dir) throws Exception {
        ModelCommand command = new ModelCommand(null);
        String family = CheckpointFamily.of(file).family().label();
        String info = run(() -> command.model("", 0, false, false, folder.toString(), "", "info", file.toString()));
        assertTrue(info.contains("Single file    " + family) && info.contains("Token width"), info);

        Path converted = dir.resolve("converted");
        run(() -> command.model(folder.toString(), "", "", "convert", file.toString(), converted.toString()));
        List<String> weightFiles = new ArrayList<>();
        // every component of the source folder (SDXL: text_encoder_2 too) is written with the same tensors
        try (java.util.stream.Stream<Path> components = java.nio.file.Files.list(folder)) {
            for (Path component : components.sorted().toList()) {
                for (String stem : List.of("model.safetensors", "diffusion_pytorch_model.safetensors")) {
                    if (java.nio.file.Files.isRegularFile(component.resolve(stem))) {
                        weightFiles.add(component.getFileName() + "/" + stem);
                    }
                }
            }
        }
        assertTrue(weightFiles.size() >= 3, folder + " has no weights");
        for (String weights : weightFiles) {
            try (SafetensorsFile written = SafetensorsFile.open(converted.resolve(weights));
                 SafetensorsFile original = SafetensorsFile.open(folder.resolve(weights))) {
                List<String> names = new ArrayList<>(original.names());
                names.removeIf(n -> n.endsWith("position_ids"));
                assertEquals(new java.util.TreeSet<>(names), new java.util.TreeSet<>(written.names()), weights);
                for (String name : names) {
                    assertArrayEquals(original.readBytes(name), written.readBytes(name), weights + " " + name);
                }
            }
        }
    }
}

package org.neologism.frontends.form;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.neologism.core.root.RootFolder;

/** The form's last answers, {@code <root>/configs/neologism-ti.json}: option name → value, offered again next time. */
public final class SavedAnswers {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SavedAnswers() {}

    public static Path file(RootFolder root) {
        return root.path().resolve("configs").resolve("neologism-ti.json");
    }

    /** The saved answers, or none when there are none or the file cannot be read (it is only a convenience). */
    public static Map<String, String> read(RootFolder root) {
        Path file = file(root);
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            return Map.of();
        }
    }

    public static void write(RootFolder root, Map<String, String> answers) throws IOException {
        Path file = file(root);
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), new TreeMap<>(answers));
    }
}

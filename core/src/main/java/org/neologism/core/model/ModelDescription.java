package org.neologism.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A diffusers model folder as its configs describe it; no weight file is opened. {@code ti:models}, the
 * console form, the embedding importer's width check and the trainer read models through it.
 *
 * @param folder         the folder that holds {@code model_index.json}
 * @param tokenWidths    {@code hidden_size} of {@code text_encoder}, then of {@code text_encoder_2} when the
 *                       model has a second encoder (SDXL's OpenCLIP-G)
 * @param predictionType {@code scheduler/scheduler_config.json}'s {@code prediction_type}; {@code epsilon} when unsaid
 */
public record ModelDescription(Path folder, List<Integer> tokenWidths, String predictionType) {

    /** The folders of the text encoders, in the order of {@link #tokenWidths()}. */
    public static final List<String> TEXT_ENCODERS = List.of("text_encoder", "text_encoder_2");
    public static final String V_PREDICTION = "v_prediction";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelDescription {
        tokenWidths = List.copyOf(tokenWidths);
        if (tokenWidths.isEmpty()) {
            throw new IllegalArgumentException("a model has at least one text encoder");
        }
    }

    /**
     * Reads the folder's text encoder and scheduler configs.
     *
     * @throws IOException naming the folder and the file that is missing or wrong, with the fix
     */
    public static ModelDescription read(Path folder) throws IOException {
        List<Integer> widths = new ArrayList<>();
        widths.add(hiddenSize(folder, TEXT_ENCODERS.get(0)));
        if (Files.isRegularFile(configOf(folder, TEXT_ENCODERS.get(1)))) {
            widths.add(hiddenSize(folder, TEXT_ENCODERS.get(1)));
        }
        return new ModelDescription(folder, widths, predictionTypeOf(folder));
    }

    /** The description, or empty when the configs cannot be read (for listings that show what they can). */
    public static Optional<ModelDescription> readIfPossible(Path folder) {
        try {
            return Optional.of(read(folder));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** The width of the first text encoder's token embedding: what a single-encoder embedding must have. */
    public int tokenWidth() {
        return tokenWidths.get(0);
    }

    /** Whether the model conditions on two text encoders (SDXL). */
    public boolean hasSecondEncoder() {
        return tokenWidths.size() > 1;
    }

    /** SD 1.x, SD 2.x (by the token width, 768 or 1024) or SDXL (two encoders), with v-prediction when so configured. */
    public String architecture() {
        String family = hasSecondEncoder() ? "SDXL" : switch (tokenWidth()) {
            case 768 -> "SD 1.x";
            case 1024 -> "SD 2.x";
            default -> "SD-like";
        };
        return V_PREDICTION.equals(predictionType) ? family + " v-prediction" : family;
    }

    private static Path configOf(Path folder, String encoder) {
        return folder.resolve(encoder).resolve("config.json");
    }

    private static int hiddenSize(Path folder, String encoder) throws IOException {
        Path config = configOf(folder, encoder);
        if (!Files.isRegularFile(config)) {
            throw new IOException("--model " + folder + ": there is no " + folder.relativize(config)
                    + "; give the folder of a diffusers model (the one holding model_index.json)");
        }
        JsonNode width;
        try {
            width = JSON.readTree(config.toFile()).path("hidden_size");
        } catch (IOException e) {
            throw new IOException("--model " + folder + ": " + config + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!width.canConvertToInt() || width.asInt() <= 0) {
            throw new IOException("--model " + folder + ": " + config + " has no positive integer hidden_size");
        }
        return width.asInt();
    }

    private static String predictionTypeOf(Path folder) {
        Path config = folder.resolve("scheduler").resolve("scheduler_config.json");
        if (!Files.isRegularFile(config)) {
            return "epsilon";
        }
        try {
            return JSON.readTree(config.toFile()).path("prediction_type").asText("epsilon");
        } catch (IOException unreadable) {
            // The trainer's full config check names a broken scheduler config; a description keeps the default.
            return "epsilon";
        }
    }
}

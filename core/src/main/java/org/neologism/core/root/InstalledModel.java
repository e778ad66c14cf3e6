package org.neologism.core.root;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.neologism.core.model.ModelDescription;

/**
 * A base model the user installed: an entry of {@code configs/models.yaml} or a diffusers folder under
 * {@code models/}.
 *
 * @param name        the name {@code --model} accepts
 * @param format      {@code diffusers}, or what models.yaml says ({@code ckpt}, {@code safetensors}, ...)
 * @param path        the model's folder or file, or null when models.yaml names none (a Hugging Face repo_id)
 * @param description models.yaml's description, or empty
 * @param listedIn    where it was found: the models.yaml file or the models folder
 */
public record InstalledModel(String name, String format, Path path, String description, Path listedIn) {

    public static final String DIFFUSERS = "diffusers";

    /** Whether Neologism can train with it: a diffusers folder that exists. */
    public boolean isTrainable() {
        return DIFFUSERS.equals(format) && path != null && Files.isRegularFile(path.resolve("model_index.json"));
    }

    /**
     * The folder to train with.
     *
     * @throws IllegalArgumentException naming the model, its format and what to do instead
     */
    public Path trainableFolder() {
        if (!DIFFUSERS.equals(format)) {
            throw new IllegalArgumentException("--model " + name + " is a " + format + " model (" + listedIn
                    + "): Neologism trains diffusers models only. Convert it to diffusers (InvokeAI's model manager can)"
                    + " or choose a diffusers model from ti:models.");
        }
        if (path == null) {
            throw new IllegalArgumentException("--model " + name + " in " + listedIn + " names no local path (only a"
                    + " repo_id), and Neologism never downloads: give the entry a path: to a diffusers folder.");
        }
        if (!Files.isRegularFile(path.resolve("model_index.json"))) {
            throw new IllegalArgumentException("--model " + name + " points to " + path + " (" + listedIn
                    + "), which is not a diffusers folder (no model_index.json there). Fix the path in " + listedIn + ".");
        }
        return path;
    }

    /** The width of one token embedding (the first text encoder's {@code hidden_size}), when readable. */
    public OptionalInt tokenWidth() {
        return modelDescription().map(model -> OptionalInt.of(model.tokenWidth())).orElse(OptionalInt.empty());
    }

    /** SDXL's second token width ({@code text_encoder_2/config.json} hidden_size, 1280), when there is one. */
    public OptionalInt tokenWidth2() {
        return modelDescription().filter(ModelDescription::hasSecondEncoder)
                .map(model -> OptionalInt.of(model.tokenWidths().get(1))).orElse(OptionalInt.empty());
    }

    /** Every token width for display: {@code 768}, {@code 1024}, or SDXL's {@code 768+1280}; {@code -} when unreadable. */
    public String tokenWidths() {
        return modelDescription().map(model -> model.tokenWidths().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining("+"))).orElse("-");
    }

    /** SD 1.x, SD 2.x or SDXL as the model's configs describe it ({@link ModelDescription#architecture()}). */
    public String architecture() {
        if (!DIFFUSERS.equals(format)) {
            return format + " (not trainable)";
        }
        return modelDescription().map(ModelDescription::architecture).orElse("unreadable (no text_encoder/config.json)");
    }

    /** What the folder's configs say, when it is a diffusers folder whose configs can be read. */
    public Optional<ModelDescription> modelDescription() {
        return DIFFUSERS.equals(format) && path != null ? ModelDescription.readIfPossible(path) : Optional.empty();
    }
}

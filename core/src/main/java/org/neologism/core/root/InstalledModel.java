package org.neologism.core.root;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.neologism.core.model.ModelDescription;

/**
 * A base model the user installed: an entry of {@code configs/models.yaml}, or a diffusers folder or a
 * single-file checkpoint ({@code .safetensors}, {@code .ckpt}) under {@code models/}.
 *
 * @param name        the name {@code --model} accepts
 * @param format      {@code diffusers}, or what models.yaml says ({@code ckpt}, {@code safetensors}, ...)
 * @param path        the model's folder or file (models.yaml's {@code path:}, or {@code weights:} of a {@code ckpt}
 *                    entry), or null when models.yaml names none (a Hugging Face repo_id)
 * @param description models.yaml's description, or empty
 * @param listedIn    where it was found: the models.yaml file or the models folder
 * @param config      the LDM YAML a single-file entry names ({@code config:}), or null
 */
public record InstalledModel(String name, String format, Path path, String description, Path listedIn, Path config) {

    public static final String DIFFUSERS = "diffusers";

    public InstalledModel(String name, String format, Path path, String description, Path listedIn) {
        this(name, format, path, description, listedIn, null);
    }

    /** Whether it is one file in the original layout (InvokeAI 2.3's {@code format: ckpt}, or a loose file). */
    public boolean isSingleFile() {
        return !DIFFUSERS.equals(format);
    }

    /** Whether Neologism can train with it: a diffusers folder, or a single SD 1.x/2.x/SDXL file, that exists. */
    public boolean isTrainable() {
        if (path == null) {
            return false;
        }
        if (!isSingleFile()) {
            return Files.isRegularFile(path.resolve("model_index.json"));
        }
        return Files.isRegularFile(path) && recognised().map(r -> r.family().trainable()).orElse(false);
    }

    private java.util.Optional<CheckpointFamily.Recognised> recognised() {
        try {
            return java.util.Optional.of(CheckpointFamily.of(path));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The folder or checkpoint file to train with.
     *
     * @throws IllegalArgumentException naming the model, the path and what to do instead
     */
    public Path trainablePath() {
        if (path == null) {
            throw new IllegalArgumentException("--model " + name + " in " + listedIn + " names no local path (only a"
                    + " repo_id), and Neologism never downloads: give the entry a path: to a diffusers folder or"
                    + " weights: to a checkpoint file.");
        }
        if (isSingleFile()) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--model " + name + " is a " + format + " model whose weights "
                        + path + " (" + listedIn + ") do not exist. Fix the path in " + listedIn + ".");
            }
            return path;
        }
        if (!Files.isRegularFile(path.resolve("model_index.json"))) {
            throw new IllegalArgumentException("--model " + name + " points to " + path + " (" + listedIn
                    + "), which is not a diffusers folder (no model_index.json there). Fix the path in " + listedIn + ".");
        }
        return path;
    }

    /** The width of one token embedding (the first text encoder's {@code hidden_size}), when readable. */
    public OptionalInt tokenWidth() {
        if (isSingleFile()) {
            return path == null ? OptionalInt.empty() : recognised().map(r -> r.tokenWidth() > 0
                    ? OptionalInt.of(r.tokenWidth()) : OptionalInt.empty()).orElse(OptionalInt.empty());
        }
        return modelDescription().map(model -> OptionalInt.of(model.tokenWidth())).orElse(OptionalInt.empty());
    }

    /** SDXL's second token width ({@code text_encoder_2/config.json} hidden_size, 1280), when there is one. */
    public OptionalInt tokenWidth2() {
        if (isSingleFile()) {
            return path == null ? OptionalInt.empty() : recognised().filter(r -> r.tokenWidth2() > 0)
                    .map(r -> OptionalInt.of(r.tokenWidth2())).orElse(OptionalInt.empty());
        }
        return modelDescription().filter(ModelDescription::hasSecondEncoder)
                .map(model -> OptionalInt.of(model.tokenWidths().get(1))).orElse(OptionalInt.empty());
    }

    /** Every token width for display: {@code 768}, {@code 1024}, or SDXL's {@code 768+1280}; {@code -} when unreadable. */
    public String tokenWidths() {
        if (isSingleFile()) {
            List<Integer> widths = path == null ? List.of()
                    : recognised().map(CheckpointFamily.Recognised::tokenWidths).orElse(List.of());
            return widths.isEmpty() ? "-" : widths.stream().map(String::valueOf).collect(Collectors.joining("+"));
        }
        return modelDescription().map(model -> model.tokenWidths().stream().map(String::valueOf)
                .collect(Collectors.joining("+"))).orElse("-");
    }

    /** SD 1.x, SD 2.x or SDXL as the model's configs describe it ({@link ModelDescription#architecture()}). */
    public String architecture() {
        if (isSingleFile()) {
            if (path == null || !Files.isRegularFile(path)) {
                return format + " (weights missing)";
            }
            try {
                CheckpointFamily family = CheckpointFamily.of(path).family();
                return family.label() + " single file" + (family.trainable() ? "" : " (not trainable yet)");
            } catch (IllegalArgumentException e) {
                return format + " (not trainable: " + e.getMessage().replace(path.toString(), "").strip() + ")";
            }
        }
        return modelDescription().map(ModelDescription::architecture).orElse("unreadable (no text_encoder/config.json)");
    }

    /** What the folder's configs say, when it is a diffusers folder whose configs can be read. */
    public Optional<ModelDescription> modelDescription() {
        return DIFFUSERS.equals(format) && path != null ? ModelDescription.readIfPossible(path) : Optional.empty();
    }
}

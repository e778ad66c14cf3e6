package org.neologism.trainer.model.single;

import java.nio.file.Path;

/**
 * What a single file cannot say about itself, given by the user.
 *
 * @param originalConfig {@code --original_config}: the model's LDM YAML, or a diffusers folder whose
 *                       {@code config.json} files (and tokenizer) describe the networks exactly (diffusers'
 *                       {@code from_single_file(config=...)}); null to infer everything
 * @param predictionType {@code --prediction_type} epsilon or v_prediction; null to take the YAML's or the family's
 * @param tokenizer      {@code --tokenizer}: a diffusers tokenizer folder; null for the bundled CLIP vocabulary
 */
public record SingleFileOptions(Path originalConfig, String predictionType, Path tokenizer) {

    public static final SingleFileOptions NONE = new SingleFileOptions(null, null, null);

    /** From command-line values, where an empty string means "not given". */
    public static SingleFileOptions of(String originalConfig, String predictionType, String tokenizer) {
        return new SingleFileOptions(pathOrNull(originalConfig), predictionType == null || predictionType.isBlank()
                ? null : predictionType, pathOrNull(tokenizer));
    }

    private static Path pathOrNull(String path) {
        return path == null || path.isBlank() ? null : Path.of(path).toAbsolutePath();
    }

    public SingleFileOptions {
        if (predictionType != null && !predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
            throw new IllegalArgumentException("--prediction_type must be epsilon or v_prediction, not " + predictionType);
        }
    }
}

package org.neologism.trainer.model.single;

import java.nio.file.Path;

/**
 * What a single file cannot say about itself, given by the user.
 *
 * @param originalConfig {@code --original_config}: the model's LDM YAML, or a diffusers folder whose
 *                       {@code config.json} files (and tokenizer) describe the networks exactly (diffusers'
 *                       {@code from_single_file(config=...)}); null to infer everything
 * @param predictionType {@code --prediction_type} epsilon or v_prediction; null to take the YAML's or the family's
 * @param tokenizer      {@code --tokenizer}: a diffusers tokenizer folder; null for the bundled CLIP vocabulary.
 *                       For SDXL it is the first encoder's; the second's is its sibling {@code tokenizer_2/} when
 *                       there is one, else the config folder's, else the bundled vocabulary padded with "!"
 * @param extractEma     take the UNet's EMA weights ({@code model_ema.*}) where the file has them, as diffusers'
 *                       {@code extract_ema=True}; false takes the trained weights, diffusers' default
 */
public record SingleFileOptions(Path originalConfig, String predictionType, Path tokenizer, boolean extractEma) {

    public static final SingleFileOptions NONE = new SingleFileOptions(null, null, null);

    /** The trained (non-EMA) weights, diffusers' default. */
    public SingleFileOptions(Path originalConfig, String predictionType, Path tokenizer) {
        this(originalConfig, predictionType, tokenizer, false);
    }

    /** The same options, taking the EMA weights or not. */
    public SingleFileOptions withExtractEma(boolean extract) {
        return new SingleFileOptions(originalConfig, predictionType, tokenizer, extract);
    }

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

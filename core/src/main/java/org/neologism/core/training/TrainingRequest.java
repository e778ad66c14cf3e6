package org.neologism.core.training;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a textual-inversion run needs, under invokeai-ti's option names and with its defaults
 * ({@link #defaults(String)} is the one place they live). Immutable; read and written by Jackson so a
 * checkpoint can record the run's configuration.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainingRequest(
        String model,
        String placeholderToken,
        String initializerToken,
        String learnableProperty,
        int numVectors,
        int resolution,
        boolean centerCrop,
        int repeats,
        int trainBatchSize,
        int gradientAccumulationSteps,
        int maxTrainSteps,
        double learningRate,
        boolean scaleLr,
        String lrScheduler,
        int lrWarmupSteps,
        Map<String, String> lrSchedulerParameters,
        double adamBeta1,
        double adamBeta2,
        double adamWeightDecay,
        double adamEpsilon,
        String mixedPrecision,
        boolean gradientCheckpointing,
        boolean fusedAttention,
        int checkpointingSteps,
        Integer checkpointsTotalLimit,
        String resumeFromCheckpoint,
        int saveSteps,
        boolean onlySaveEmbeds,
        Long seed,
        String device,
        Path root,
        Path outputDir,
        Path trainDataDir,
        boolean overwriteOutputDir,
        Path originalConfig,
        String predictionType,
        Path tokenizer) {

    // invokeai-ti's command-line defaults: the one place they live (the shell's help reads them too).
    public static final String DEFAULT_MODEL = "stable-diffusion-1.5";
    public static final String DEFAULT_INITIALIZER = "*";
    public static final String DEFAULT_LEARNABLE_PROPERTY = "object";
    public static final int DEFAULT_NUM_VECTORS = 1;
    public static final int DEFAULT_RESOLUTION = 512;
    public static final int DEFAULT_REPEATS = 100;
    public static final int DEFAULT_TRAIN_BATCH_SIZE = 8;
    public static final int DEFAULT_GRADIENT_ACCUMULATION_STEPS = 1;
    public static final int DEFAULT_MAX_TRAIN_STEPS = 5000;
    public static final double DEFAULT_LEARNING_RATE = 1e-4;
    public static final String DEFAULT_LR_SCHEDULER = "constant";
    public static final int DEFAULT_LR_WARMUP_STEPS = 500;
    public static final double DEFAULT_ADAM_BETA1 = 0.9;
    public static final double DEFAULT_ADAM_BETA2 = 0.999;
    public static final double DEFAULT_ADAM_WEIGHT_DECAY = 1e-2;
    public static final double DEFAULT_ADAM_EPSILON = 1e-8;
    public static final String DEFAULT_MIXED_PRECISION = "no";
    public static final int DEFAULT_CHECKPOINTING_STEPS = 500;
    public static final int DEFAULT_SAVE_STEPS = 500;

    public TrainingRequest {
        Objects.requireNonNull(placeholderToken, "placeholder_token");
        lrSchedulerParameters = lrSchedulerParameters == null ? Map.of() : Map.copyOf(lrSchedulerParameters);
    }

    /** A request that does not move an earlier run's outputs aside ({@code --overwrite_output_dir} off). */
    public TrainingRequest(String model, String placeholderToken, String initializerToken, String learnableProperty,
                           int numVectors, int resolution, boolean centerCrop, int repeats, int trainBatchSize,
                           int gradientAccumulationSteps, int maxTrainSteps, double learningRate, boolean scaleLr,
                           String lrScheduler, int lrWarmupSteps, Map<String, String> lrSchedulerParameters,
                           double adamBeta1, double adamBeta2, double adamWeightDecay, double adamEpsilon,
                           String mixedPrecision, boolean gradientCheckpointing, boolean fusedAttention,
                           int checkpointingSteps, Integer checkpointsTotalLimit, String resumeFromCheckpoint,
                           int saveSteps, boolean onlySaveEmbeds, Long seed, String device, Path root, Path outputDir,
                           Path trainDataDir) {
        this(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution, centerCrop, repeats,
                trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr, lrScheduler,
                lrWarmupSteps, lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon, mixedPrecision,
                gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit, resumeFromCheckpoint,
                saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, false);
    }

    /** A request for a diffusers model or a single file whose configs are inferred. */
    public TrainingRequest(String model, String placeholderToken, String initializerToken, String learnableProperty,
                           int numVectors, int resolution, boolean centerCrop, int repeats, int trainBatchSize,
                           int gradientAccumulationSteps, int maxTrainSteps, double learningRate, boolean scaleLr,
                           String lrScheduler, int lrWarmupSteps, Map<String, String> lrSchedulerParameters,
                           double adamBeta1, double adamBeta2, double adamWeightDecay, double adamEpsilon,
                           String mixedPrecision, boolean gradientCheckpointing, boolean fusedAttention,
                           int checkpointingSteps, Integer checkpointsTotalLimit, String resumeFromCheckpoint,
                           int saveSteps, boolean onlySaveEmbeds, Long seed, String device, Path root, Path outputDir,
                           Path trainDataDir, boolean overwriteOutputDir) {
        this(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution, centerCrop, repeats,
                trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr, lrScheduler,
                lrWarmupSteps, lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon, mixedPrecision,
                gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit, resumeFromCheckpoint,
                saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, overwriteOutputDir, null, null,
                null);
    }

    /** The same request with {@code --overwrite_output_dir} set as given. */
    public TrainingRequest withOverwriteOutputDir(boolean overwrite) {
        return new TrainingRequest(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution,
                centerCrop, repeats, trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr,
                lrScheduler, lrWarmupSteps, lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon,
                mixedPrecision, gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit,
                resumeFromCheckpoint, saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, overwrite,
                originalConfig, predictionType, tokenizer);
    }

    /**
     * The same request with what a single-file model cannot say about itself: {@code --original_config} (its LDM
     * YAML or a diffusers folder with its configs), {@code --prediction_type} and {@code --tokenizer}; null for
     * "infer it".
     */
    public TrainingRequest withSingleFile(Path originalConfig, String predictionType, Path tokenizer) {
        return new TrainingRequest(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution,
                centerCrop, repeats, trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr,
                lrScheduler, lrWarmupSteps, lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon,
                mixedPrecision, gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit,
                resumeFromCheckpoint, saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir,
                overwriteOutputDir, originalConfig, predictionType, tokenizer);
    }

    /** invokeai-ti's command-line defaults for a trigger, folders left to the root layout. */
    public static TrainingRequest defaults(String placeholderToken) {
        return new TrainingRequest(
                DEFAULT_MODEL, placeholderToken, DEFAULT_INITIALIZER, DEFAULT_LEARNABLE_PROPERTY, DEFAULT_NUM_VECTORS,
                DEFAULT_RESOLUTION, false, DEFAULT_REPEATS, DEFAULT_TRAIN_BATCH_SIZE, DEFAULT_GRADIENT_ACCUMULATION_STEPS,
                DEFAULT_MAX_TRAIN_STEPS, DEFAULT_LEARNING_RATE, true, DEFAULT_LR_SCHEDULER, DEFAULT_LR_WARMUP_STEPS, Map.of(),
                DEFAULT_ADAM_BETA1, DEFAULT_ADAM_BETA2, DEFAULT_ADAM_WEIGHT_DECAY, DEFAULT_ADAM_EPSILON,
                DEFAULT_MIXED_PRECISION, false, true, DEFAULT_CHECKPOINTING_STEPS, null, null, DEFAULT_SAVE_STEPS, true,
                null, null, null, null, null);
    }
}

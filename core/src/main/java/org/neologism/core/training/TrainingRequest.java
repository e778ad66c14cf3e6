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
        Path trainDataDir) {

    public TrainingRequest {
        Objects.requireNonNull(placeholderToken, "placeholder_token");
        lrSchedulerParameters = lrSchedulerParameters == null ? Map.of() : Map.copyOf(lrSchedulerParameters);
    }

    /** invokeai-ti's command-line defaults for a trigger, folders left to the root layout. */
    public static TrainingRequest defaults(String placeholderToken) {
        return new TrainingRequest(
                "stable-diffusion-1.5", placeholderToken, "*", "object", 1, 512, false, 100,
                8, 1, 5000, 1e-4, true, "constant", 500, Map.of(),
                0.9, 0.999, 1e-2, 1e-8, "no", false, true,
                500, null, null, 500, true, null, null,
                null, null, null);
    }
}

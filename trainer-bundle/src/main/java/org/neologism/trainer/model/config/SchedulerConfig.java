package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The noise-schedule part of {@code scheduler/scheduler_config.json}. Training uses DDPM's forward process
 * whatever sampler class the folder names (diffusers' scripts do the same with DDPMScheduler.from_pretrained).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchedulerConfig(
        @JsonProperty("_class_name") String className,
        Integer numTrainTimesteps,
        Double betaStart,
        Double betaEnd,
        String betaSchedule,
        List<Double> trainedBetas,
        String predictionType,
        Boolean rescaleBetasZeroSnr) {

    public SchedulerConfig {
        numTrainTimesteps = numTrainTimesteps == null ? 1000 : numTrainTimesteps;
        betaStart = betaStart == null ? 0.0001 : betaStart;
        betaEnd = betaEnd == null ? 0.02 : betaEnd;
        betaSchedule = betaSchedule == null ? "linear" : betaSchedule;
        trainedBetas = trainedBetas == null ? null : List.copyOf(trainedBetas);
        predictionType = predictionType == null ? "epsilon" : predictionType;
        rescaleBetasZeroSnr = rescaleBetasZeroSnr != null && rescaleBetasZeroSnr;
    }

    public boolean vPrediction() {
        return "v_prediction".equals(predictionType);
    }

    public SchedulerConfig validate(String file) {
        ConfigCheck check = new ConfigCheck(file)
                .oneOf("prediction_type", predictionType, "epsilon", "v_prediction")
                .oneOf("rescale_betas_zero_snr", rescaleBetasZeroSnr, false)
                .require(numTrainTimesteps > 1, "num_train_timesteps", numTrainTimesteps, "more than 1");
        if (trainedBetas == null) {
            check.oneOf("beta_schedule", betaSchedule, "scaled_linear", "linear");
        } else {
            check.require(trainedBetas.size() == numTrainTimesteps, "trained_betas", trainedBetas.size() + " values",
                    "num_train_timesteps values");
        }
        check.throwIfAny();
        return this;
    }
}

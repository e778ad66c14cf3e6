package org.neologism.schedulers.sampling;

import org.neologism.core.sampling.SchedulerValues;

/** What the model predicts ({@code prediction_type}): the noise ε or the velocity v = √ᾱ·ε − √(1−ᾱ)·x₀. */
enum Prediction {
    EPSILON, V_PREDICTION;

    static Prediction of(SchedulerValues config, String sampler) {
        String type = config.text("prediction_type", "epsilon");
        config.require(type.equals("epsilon") || type.equals("v_prediction"), "prediction_type", sampler,
                "epsilon, v_prediction");
        return type.equals("epsilon") ? EPSILON : V_PREDICTION;
    }

    /** Nonlinear post-processing of x₀ cannot be a linear step: refuse it by name. */
    static void refuseClipping(SchedulerValues config, String sampler, boolean clipDefault) {
        config.require(!config.bool("thresholding", false), "thresholding", sampler, "false");
        config.require(!config.bool("clip_sample", clipDefault), "clip_sample", sampler, "false");
    }

    /** x₀ at step k in VP form (ᾱ): ε: (x − √(1−ᾱ)·ε)/√ᾱ; v: √ᾱ·x − √(1−ᾱ)·v. */
    Combination originalVp(double alphaProd) {
        double a = Math.sqrt(alphaProd);
        double b = Math.sqrt(1 - alphaProd);
        return this == EPSILON ? Combination.of(0, 1 / a, -b / a) : Combination.of(0, a, -b);
    }

    /** ε at step k in VP form: ε itself, or √ᾱ·v + √(1−ᾱ)·x. */
    Combination epsilonVp(double alphaProd) {
        return this == EPSILON ? Combination.of(0, 0, 1)
                : Combination.of(0, Math.sqrt(1 - alphaProd), Math.sqrt(alphaProd));
    }

    /**
     * x₀ in the sigma (VE) form of the Euler/LMS schedulers, x the unscaled latent: x − σ·ε, or
     * v·(−σ/√(σ²+1)) + x/(σ²+1).
     */
    Combination originalVe(double sigma) {
        return this == EPSILON ? Combination.of(0, 1, -sigma)
                : Combination.of(0, 1 / (sigma * sigma + 1), -sigma / Math.sqrt(sigma * sigma + 1));
    }

    /** The ODE derivative d = (x − x₀)/σ of the Euler/LMS schedulers. */
    Combination derivativeVe(double sigma) {
        return Combination.sample(0, 1).plus(originalVe(sigma), -1).times(1 / sigma);
    }
}

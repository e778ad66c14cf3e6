package org.neologism.core.sampling;

/**
 * The training noise schedule every diffusers scheduler derives in its constructor, in torch float32:
 * betas ({@code scaled_linear}: linspace(√β₀, √β₁, N)², {@code linear}: linspace(β₀, β₁, N), or trained),
 * ᾱ = cumprod(1 − β) and the Karras-style sigmas σ_t = ((1 − ᾱ_t)/ᾱ_t)^½ of the discrete schedulers.
 */
public final class NoiseTables {

    private final float[] alphasCumprod;
    private final float[] sigmas;

    private NoiseTables(float[] betas) {
        int n = betas.length;
        alphasCumprod = new float[n];
        sigmas = new float[n];
        // libtorch's CPU cumprod accumulates in double and rounds each element.
        double product = 1;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = (float) product;
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
        }
    }

    /** The tables of {@code config} with the class defaults every diffusers scheduler shares. */
    public static NoiseTables of(SchedulerValues config, String sampler) {
        int n = config.integer("num_train_timesteps", 1000);
        config.require(n > 1, "num_train_timesteps", sampler, "more than 1");
        config.require(!config.bool("rescale_betas_zero_snr", false), "rescale_betas_zero_snr", sampler, "false");
        double[] trained = config.reals("trained_betas");
        if (trained != null) {
            config.require(trained.length == n, "trained_betas", sampler, "num_train_timesteps values");
            float[] betas = new float[n];
            for (int i = 0; i < n; i++) {
                betas[i] = (float) trained[i];
            }
            return new NoiseTables(betas);
        }
        double start = config.real("beta_start", 0.0001);
        double end = config.real("beta_end", 0.02);
        String schedule = config.text("beta_schedule", "linear");
        config.require(schedule.equals("linear") || schedule.equals("scaled_linear"), "beta_schedule", sampler,
                "linear, scaled_linear");
        if (schedule.equals("linear")) {
            return new NoiseTables(TorchLinspace.float32((float) start, (float) end, n));
        }
        float[] roots = TorchLinspace.float32((float) Math.sqrt(start), (float) Math.sqrt(end), n);
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            betas[i] = roots[i] * roots[i];
        }
        return new NoiseTables(betas);
    }

    public int numTrainTimesteps() {
        return alphasCumprod.length;
    }

    /** ᾱ_t (float32). */
    public float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** σ_t = ((1 − ᾱ_t)/ᾱ_t)^½ for t = 0..N-1, ascending in t (float32). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** σ at fractional timesteps by linear interpolation, {@code np.interp(t, arange(N), sigmas)} in double. */
    public double[] interpolatedSigmas(double[] timesteps) {
        double[] out = new double[timesteps.length];
        int last = sigmas.length - 1;
        for (int i = 0; i < out.length; i++) {
            double x = timesteps[i];
            if (x <= 0) {
                out[i] = sigmas[0];
            } else if (x >= last) {
                out[i] = sigmas[last];
            } else {
                int j = (int) Math.floor(x);
                double slope = ((double) sigmas[j + 1] - sigmas[j]) / 1.0;
                out[i] = x == j ? sigmas[j] : slope * (x - j) + sigmas[j];
            }
        }
        return out;
    }
}

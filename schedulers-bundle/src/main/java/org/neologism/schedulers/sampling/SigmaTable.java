package org.neologism.schedulers.sampling;

import org.neologism.core.sampling.NoiseTables;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.sampling.Timesteps;

/**
 * The timesteps and sigmas of the discrete sigma (VE) schedulers — Euler, Euler ancestral, LMS — as their
 * {@code set_timesteps} makes them: float32 timesteps of the spacing (class default {@code linspace},
 * offset 0), σ = {@code np.interp(t, arange(N), σ_base)} in double, a final σ appended, all cast to float32.
 * {@code init_noise_sigma} is σ_max for linspace/trailing and (σ_max² + 1)^½ for leading, in float32.
 */
record SigmaTable(float[] timesteps, float[] sigmas, double initNoiseSigma) {

    static SigmaTable of(SchedulerValues config, String sampler, int steps, float finalSigma) {
        NoiseTables tables = NoiseTables.of(config, sampler);
        config.require(config.text("interpolation_type", "linear").equals("linear"), "interpolation_type", sampler,
                "linear");
        config.require(config.text("timestep_type", "discrete").equals("discrete"), "timestep_type", sampler, "discrete");
        for (String key : new String[] {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas"}) {
            config.require(!config.bool(key, false), key, sampler, "false");
        }
        int train = tables.numTrainTimesteps();
        String spacing = config.text("timestep_spacing", "linspace");
        double[] spaced = Timesteps.spaced(config, sampler, "linspace", train, steps);
        float[] timesteps = new float[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = switch (spacing) {
                // float32(arange·ratio) += offset, in float32
                case "leading" -> (float) (spaced[i] - config.integer("steps_offset", 0))
                        + (float) config.integer("steps_offset", 0);
                // float32(round(arange)) − 1, in float32
                case "trailing" -> (float) (spaced[i] + 1) - 1f;
                default -> (float) spaced[i];
            };
        }
        double[] asDouble = new double[steps];
        for (int i = 0; i < steps; i++) {
            asDouble[i] = timesteps[i];
        }
        double[] interpolated = tables.interpolatedSigmas(asDouble);
        float[] sigmas = new float[steps + 1];
        float max = finalSigma;
        for (int i = 0; i < steps; i++) {
            sigmas[i] = (float) interpolated[i];
            max = Math.max(max, sigmas[i]);
        }
        sigmas[steps] = finalSigma;
        double init = spacing.equals("leading") ? (float) Math.sqrt(max * max + 1f) : max;
        return new SigmaTable(timesteps, sigmas, init);
    }

    double[] timestepsAsDouble() {
        double[] out = new double[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    /** x / (σ² + 1)^½: {@code scale_model_input} as a factor. */
    double inputScale(int k) {
        double sigma = sigmas[k];
        return 1 / Math.sqrt(sigma * sigma + 1);
    }
}

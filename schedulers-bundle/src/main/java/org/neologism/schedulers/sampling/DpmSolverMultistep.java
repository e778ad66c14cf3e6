package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neologism.core.sampling.NoiseTables;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.sampling.Timesteps;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} with {@code algorithm_type = dpmsolver++} and
 * {@code solver_order = 2} (DPM++ 2M). In VP form α = 1/√(σ²+1), σ_t = σ·α, λ = log α − log σ_t, the data
 * prediction D_k = x₀ and h = λ_{k+1} − λ_k:
 * first order x' = (σ_t'/σ_t)·x − α'(e^{−h} − 1)·D_k; second order (midpoint)
 * x' = (σ_t'/σ_t)·x − α'(e^{−h} − 1)·(D_k + ½(D_k − D_{k−1})/r), r = h_{k−1}/h_k
 * (heun: the last term + α'((e^{−h} − 1)/h + 1)·(D_k − D_{k−1})/r). The first step is first order, and so is
 * the last with {@code final_sigmas_type zero} or, below 15 steps, {@code lower_order_final}.
 */
final class DpmSolverMultistep {

    private DpmSolverMultistep() {}

    static SamplingPlan plan(SchedulerValues original, int steps, String label, boolean karras) {
        Steps.requirePositive(steps, label);
        SchedulerValues config = original.with(karras
                ? Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", true)
                : Map.of("algorithm_type", "dpmsolver++", "solver_order", 2));
        NoiseTables tables = NoiseTables.of(config, label);
        Prediction prediction = Prediction.of(config, label);
        config.require(!config.bool("thresholding", false), "thresholding", label, "false");
        String solverType = config.text("solver_type", "midpoint");
        config.require(solverType.equals("midpoint") || solverType.equals("heun"), "solver_type", label, "midpoint, heun");
        String finalType = config.text("final_sigmas_type", "zero");
        config.require(finalType.equals("zero") || finalType.equals("sigma_min"), "final_sigmas_type", label,
                "zero, sigma_min");
        config.require(!config.bool("use_lu_lambdas", false), "use_lu_lambdas", label, "false");
        config.require(!config.bool("use_exponential_sigmas", false), "use_exponential_sigmas", label, "false");
        config.require(!config.bool("use_beta_sigmas", false), "use_beta_sigmas", label, "false");
        config.require(config.real("lambda_min_clipped", Double.NEGATIVE_INFINITY) == Double.NEGATIVE_INFINITY,
                "lambda_min_clipped", label, "-inf");
        config.require(!config.text("variance_type", "").startsWith("learned"), "variance_type", label, "fixed_small");

        int train = tables.numTrainTimesteps();
        float[] base = tables.sigmas();
        double[] timesteps;
        float[] sigmas = new float[steps + 1];
        if (karras) {
            double[] karrasSigmas = karras(base[0], base[train - 1], steps);
            timesteps = new double[steps];
            for (int i = 0; i < steps; i++) {
                timesteps[i] = Math.rint(sigmaToT(karrasSigmas[i], base));
                sigmas[i] = (float) karrasSigmas[i];
            }
        } else {
            timesteps = spaced(config, label, train, steps);
            double[] interpolated = tables.interpolatedSigmas(timesteps);
            for (int i = 0; i < steps; i++) {
                sigmas[i] = (float) interpolated[i];
            }
        }
        sigmas[steps] = finalType.equals("zero") ? 0f : base[0];

        boolean lowerOrderFinal = config.bool("lower_order_final", true);
        boolean eulerAtFinal = config.bool("euler_at_final", false);
        List<SamplerStep> plan = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            boolean last = k == steps - 1;
            boolean firstOrder = k == 0 || last && (eulerAtFinal || lowerOrderFinal && steps < 15 || finalType.equals("zero"));
            Vp now = Vp.of(sigmas[k]);
            Vp next = Vp.of(sigmas[k + 1]);
            Combination d0 = dataPrediction(prediction, now);
            Combination update;
            if (next.sigmaT == 0) {
                // λ' = ∞: e^{−h} = 0 and σ_t'/σ_t = 0, the step returns the data prediction (first order only)
                update = d0;
            } else {
                double h = next.lambda - now.lambda;
                double a = -next.alpha * Math.expm1(-h);
                update = Combination.sample(0, next.sigmaT / now.sigmaT).plus(d0, a);
                if (!firstOrder) {
                    Vp before = Vp.of(sigmas[k - 1]);
                    double r = (now.lambda - before.lambda) / h;
                    Combination d1 = d0.plus(dataPrediction(prediction, before).shifted(1), -1).times(1 / r);
                    double weight = solverType.equals("midpoint") ? 0.5 * a
                            : next.alpha * (Math.expm1(-h) / h + 1.0);
                    update = update.plus(d1, weight);
                }
            }
            plan.add(update.step(timesteps[k], 1, 0));
        }
        return new SamplingPlan(timesteps, sigmas, 1.0, plan);
    }

    /** x₀ from ε: (x − σ_t·ε)/α; from v: α·x − σ_t·v. */
    private static Combination dataPrediction(Prediction prediction, Vp vp) {
        return prediction == Prediction.EPSILON ? Combination.of(0, 1 / vp.alpha, -vp.sigmaT / vp.alpha)
                : Combination.of(0, vp.alpha, -vp.sigmaT);
    }

    /** DPM's own spacing: n + 1 points, the last dropped (leading ratio N // (n+1)). */
    private static double[] spaced(SchedulerValues config, String label, int train, int steps) {
        String spacing = config.text("timestep_spacing", "linspace");
        double[] out = new double[steps];
        switch (spacing) {
            case "leading" -> {
                int ratio = train / (steps + 1);
                int offset = config.integer("steps_offset", 0);
                for (int i = 0; i < steps; i++) {
                    out[i] = (double) (steps - i) * ratio + offset;
                }
            }
            case "trailing" -> {
                double[] values = Timesteps.round(Timesteps.arange(train, 0, -(double) train / steps));
                for (int i = 0; i < steps; i++) {
                    out[i] = values[i] - 1;
                }
            }
            case "linspace" -> {
                double[] values = Timesteps.round(Timesteps.npLinspace(0, train - 1, steps + 1));
                for (int i = 0; i < steps; i++) {
                    out[i] = values[steps - i];
                }
            }
            default -> config.require(false, "timestep_spacing", label, "leading, trailing, linspace");
        }
        return out;
    }

    /** Karras et al. (ρ = 7) between σ_min and σ_max, in double. */
    static double[] karras(double sigmaMin, double sigmaMax, int steps) {
        double rho = 7.0;
        double[] ramp = Timesteps.npLinspace(0, 1, steps);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    /** {@code _sigma_to_t}: the fractional timestep whose log σ (float32 table) interpolates to log σ. */
    static double sigmaToT(double sigma, float[] base) {
        int n = base.length;
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - (float) Math.log(base[i]) >= 0) {
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        double lowValue = (float) Math.log(base[low]);
        double highValue = (float) Math.log(base[low + 1]);
        double w = Math.min(1, Math.max(0, (lowValue - logSigma) / (lowValue - highValue)));
        return (1 - w) * low + w * (low + 1);
    }

    /** α, σ_t and λ of one sigma. */
    private record Vp(double alpha, double sigmaT, double lambda) {
        static Vp of(double sigma) {
            double alpha = 1 / Math.sqrt(sigma * sigma + 1);
            double sigmaT = sigma * alpha;
            return new Vp(alpha, sigmaT, Math.log(alpha) - Math.log(sigmaT));
        }
    }
}

package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neologism.core.sampling.NoiseTables;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.sampling.Timesteps;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code PNDMScheduler} as Stable Diffusion ships it ({@code skip_prk_steps = true}, i.e. PLMS).
 * The loop has n + 1 steps, the second timestep repeated: step 1 averages the first two outputs and
 * applies them to the first sample again; later steps use Adams–Bashforth of orders 2–4 on the stored
 * outputs (step 1's is not stored). Each step moves t → t − N/n with
 * x' = √(ᾱ'/ᾱ)·x − (ᾱ' − ᾱ)·ε / (ᾱ·√(1 − ᾱ') + √(ᾱ(1 − ᾱ)ᾱ')), ε converted from v with the current x.
 */
@Component(property = Sampler.NAME_PROPERTY + "=pndm")
public class PndmSampler implements Sampler {

    private static final double[][] ADAMS_BASHFORTH = {
        {1}, {3 / 2.0, -1 / 2.0}, {23 / 12.0, -16 / 12.0, 5 / 12.0}, {55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0}};

    @Override
    public String name() {
        return "pndm";
    }

    @Override
    public String label() {
        return "PNDM";
    }

    @Override
    public SamplingPlan plan(SchedulerValues original, int steps) {
        Steps.requirePositive(steps, name());
        SchedulerValues config = original.with(Map.of("skip_prk_steps", true));
        NoiseTables tables = NoiseTables.of(config, label());
        Prediction prediction = Prediction.of(config, label());
        int train = tables.numTrainTimesteps();
        int ratio = train / steps;
        double[] ascending = Timesteps.reversed(Timesteps.round(Timesteps.spaced(config, label(), "leading", train, steps)));
        // _timesteps[:-1] + _timesteps[-2:-1] + _timesteps[-1:], reversed
        List<Double> loop = new ArrayList<>();
        for (int i = 0; i < ascending.length - 1; i++) {
            loop.add(ascending[i]);
        }
        if (ascending.length >= 2) {
            loop.add(ascending[ascending.length - 2]);
        }
        loop.add(ascending[ascending.length - 1]);
        double[] timesteps = Timesteps.reversed(loop.stream().mapToDouble(Double::doubleValue).toArray());

        double finalAlpha = config.bool("set_alpha_to_one", false) ? 1.0 : tables.alphaCumprod(0);
        List<Integer> stored = new ArrayList<>(); // the steps whose outputs are in diffusers' ets
        List<SamplerStep> plan = new ArrayList<>();
        for (int k = 0; k < timesteps.length; k++) {
            int t = (int) timesteps[k];
            int prev = t - ratio;
            int sampleBack = 0;
            Combination output;
            if (k == 1) {
                prev = t;
                t = t + ratio;
                output = Combination.output(0, 0.5).plus(Combination.output(1, 0.5), 1);
                sampleBack = 1;
            } else {
                stored.add(k);
                if (stored.size() > 4) {
                    stored.remove(0);
                }
                double[] weights = ADAMS_BASHFORTH[stored.size() - 1];
                output = new Combination();
                for (int i = 0; i < stored.size(); i++) {
                    int step = stored.get(stored.size() - 1 - i);
                    output = output.plus(Combination.output(k - step, 1), weights[i]);
                }
            }
            double alpha = tables.alphaCumprod(t);
            double alphaPrev = prev >= 0 ? tables.alphaCumprod(prev) : finalAlpha;
            Combination epsilon = prediction == Prediction.EPSILON ? output
                    : output.times(Math.sqrt(alpha)).plus(Combination.sample(sampleBack, 1), Math.sqrt(1 - alpha));
            double sampleCoefficient = Math.sqrt(alphaPrev / alpha);
            double denominator = alpha * Math.sqrt(1 - alphaPrev) + Math.sqrt(alpha * (1 - alpha) * alphaPrev);
            Combination next = Combination.sample(sampleBack, sampleCoefficient)
                    .plus(epsilon, -(alphaPrev - alpha) / denominator);
            plan.add(next.step(timesteps[k], 1, 0));
        }
        return new SamplingPlan(timesteps, null, 1.0, plan);
    }
}

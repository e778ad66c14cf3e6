package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.sampling.NoiseTables;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.sampling.Timesteps;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code DDIMScheduler} with η = 0 (the pipelines' default): x' = √ᾱ_prev·x₀ + √(1 − ᾱ_prev)·ε,
 * prev = t − N/n (also for trailing spacing), ᾱ_prev = 1 or ᾱ_0 below 0 ({@code set_alpha_to_one},
 * class default true).
 */
@Component(property = Sampler.NAME_PROPERTY + "=ddim")
public class DdimSampler implements Sampler {

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public String label() {
        return "DDIM";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        Steps.requirePositive(steps, name());
        NoiseTables tables = NoiseTables.of(config, label());
        Prediction prediction = Prediction.of(config, label());
        Prediction.refuseClipping(config, label(), true);
        int train = tables.numTrainTimesteps();
        double[] timesteps = Timesteps.round(Timesteps.spaced(config, label(), "leading", train, steps));
        double finalAlpha = config.bool("set_alpha_to_one", true) ? 1.0 : tables.alphaCumprod(0);
        List<SamplerStep> plan = new ArrayList<>();
        for (double t : timesteps) {
            int prev = (int) t - train / steps;
            double alpha = tables.alphaCumprod((int) t);
            double alphaPrev = prev >= 0 ? tables.alphaCumprod(prev) : finalAlpha;
            Combination next = prediction.originalVp(alpha).times(Math.sqrt(alphaPrev))
                    .plus(prediction.epsilonVp(alpha), Math.sqrt(1 - alphaPrev));
            plan.add(next.step(t, 1, 0));
        }
        return new SamplingPlan(timesteps, null, 1.0, plan);
    }
}

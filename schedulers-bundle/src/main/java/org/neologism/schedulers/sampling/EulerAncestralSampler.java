package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code EulerAncestralDiscreteScheduler}: σ_up = (σ_{k+1}²(σ_k² − σ_{k+1}²)/σ_k²)^½,
 * σ_down = (σ_{k+1}² − σ_up²)^½, x' = x + d·(σ_down − σ_k) + σ_up·z with fresh noise z.
 */
@Component(property = Sampler.NAME_PROPERTY + "=euler_a")
public class EulerAncestralSampler implements Sampler {

    @Override
    public String name() {
        return "euler_a";
    }

    @Override
    public String label() {
        return "Euler a";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        Steps.requirePositive(steps, name());
        Prediction prediction = Prediction.of(config, label());
        SigmaTable table = SigmaTable.of(config, label(), steps, 0f);
        float[] sigmas = table.sigmas();
        List<SamplerStep> plan = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            double from = sigmas[k];
            double to = sigmas[k + 1];
            double up = Math.sqrt(to * to * (from * from - to * to) / (from * from));
            double down = Math.sqrt(to * to - up * up);
            Combination next = Combination.sample(0, 1).plus(prediction.derivativeVe(from), down - from);
            plan.add(next.step(table.timesteps()[k], table.inputScale(k), up));
        }
        return new SamplingPlan(table.timestepsAsDouble(), sigmas, table.initNoiseSigma(), plan);
    }
}

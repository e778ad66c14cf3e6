package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code EulerDiscreteScheduler} (no churn): d = (x − x₀)/σ_k, x' = x + d·(σ_{k+1} − σ_k).
 * {@code final_sigmas_type} {@code zero} (default) or {@code sigma_min} sets the last sigma.
 */
@Component(property = Sampler.NAME_PROPERTY + "=euler")
public class EulerSampler implements Sampler {

    @Override
    public String name() {
        return "euler";
    }

    @Override
    public String label() {
        return "Euler";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        Steps.requirePositive(steps, name());
        Prediction prediction = Prediction.of(config, label());
        String finalType = config.text("final_sigmas_type", "zero");
        config.require(finalType.equals("zero") || finalType.equals("sigma_min"), "final_sigmas_type", label(),
                "zero, sigma_min");
        float finalSigma = finalType.equals("zero") ? 0f
                : org.neologism.core.sampling.NoiseTables.of(config, label()).sigmas()[0];
        SigmaTable table = SigmaTable.of(config, label(), steps, finalSigma);
        float[] sigmas = table.sigmas();
        List<SamplerStep> plan = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            Combination next = Combination.sample(0, 1)
                    .plus(prediction.derivativeVe(sigmas[k]), (double) sigmas[k + 1] - sigmas[k]);
            plan.add(next.step(table.timesteps()[k], table.inputScale(k), 0));
        }
        return new SamplingPlan(table.timestepsAsDouble(), sigmas, table.initNoiseSigma(), plan);
    }
}

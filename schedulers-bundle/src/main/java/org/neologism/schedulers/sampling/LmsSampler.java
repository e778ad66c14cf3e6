package org.neologism.schedulers.sampling;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code LMSDiscreteScheduler} (order 4): x' = x + Σ_i c_i·d_{k−i}, i < min(k+1, 4), where c_i
 * integrates the Lagrange basis polynomial of σ_{k−i} over [σ_k, σ_{k+1}]. diffusers integrates with
 * scipy's {@code quad}; the polynomial has degree ≤ 3, so Gauss–Legendre with 4 nodes is exact (the
 * fixtures show the exact integral is a benign difference).
 */
@Component(property = Sampler.NAME_PROPERTY + "=lms")
public class LmsSampler implements Sampler {

    static final int ORDER = 4;
    private static final double[] NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
        0.8611363115940526};
    private static final double[] WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
        0.3478548451374538};

    @Override
    public String name() {
        return "lms";
    }

    @Override
    public String label() {
        return "LMS";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        Steps.requirePositive(steps, name());
        Prediction prediction = Prediction.of(config, label());
        SigmaTable table = SigmaTable.of(config, label(), steps, 0f);
        float[] sigmas = table.sigmas();
        List<SamplerStep> plan = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            int order = Math.min(k + 1, ORDER);
            Combination next = Combination.sample(0, 1);
            for (int i = 0; i < order; i++) {
                next = next.plus(prediction.derivativeVe(sigmas[k - i]).shifted(i), coefficient(sigmas, order, k, i));
            }
            plan.add(next.step(table.timesteps()[k], table.inputScale(k), 0));
        }
        return new SamplingPlan(table.timestepsAsDouble(), sigmas, table.initNoiseSigma(), plan);
    }

    /** ∫_{σ_t}^{σ_{t+1}} Π_{j≠i} (τ − σ_{t−j})/(σ_{t−i} − σ_{t−j}) dτ. */
    static double coefficient(float[] sigmas, int order, int t, int i) {
        double a = sigmas[t];
        double b = sigmas[t + 1];
        double sum = 0;
        for (int q = 0; q < NODES.length; q++) {
            double tau = (b - a) / 2 * NODES[q] + (a + b) / 2;
            double product = 1;
            for (int j = 0; j < order; j++) {
                if (j != i) {
                    product *= (tau - sigmas[t - j]) / ((double) sigmas[t - i] - sigmas[t - j]);
                }
            }
            sum += WEIGHTS[q] * product;
        }
        return sum * (b - a) / 2;
    }
}

package org.neologism.core.sampling;

import java.util.List;

/**
 * What {@code set_timesteps(n)} leaves in a diffusers scheduler, with every step worked out.
 *
 * @param timesteps        the loop's timesteps, in order (PNDM has one more than requested)
 * @param sigmas           the sigma table (loop length + 1, ending in the final sigma), or null where the
 *                         sampler has none (DDIM, PNDM)
 * @param initNoiseSigma   the factor on the initial noise ({@code prepare_latents})
 * @param steps            one entry per loop step
 */
public record SamplingPlan(double[] timesteps, float[] sigmas, double initNoiseSigma, List<SamplerStep> steps) {

    public SamplingPlan {
        timesteps = timesteps.clone();
        sigmas = sigmas == null ? null : sigmas.clone();
        steps = List.copyOf(steps);
        if (steps.size() != timesteps.length) {
            throw new IllegalArgumentException(steps.size() + " steps for " + timesteps.length + " timesteps");
        }
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        return sigmas == null ? null : sigmas.clone();
    }

    /** The most earlier samples/outputs any step reads: the loop keeps this many. */
    public int lookBack() {
        return steps.stream().mapToInt(SamplerStep::lookBack).max().orElse(0);
    }

    /** Whether some step draws fresh noise (an ancestral sampler). */
    public boolean drawsNoise() {
        return steps.stream().anyMatch(s -> s.noise() != 0);
    }
}

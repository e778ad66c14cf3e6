package org.neologism.core.sampling;

import java.util.Arrays;

/**
 * One step of a sampler as the loop applies it. The model is called with {@code inputScale · x_k} at
 * {@link #timestep}; its output m_k (ε or v, after guidance) gives the next sample
 *
 * <pre>x_{k+1} = Σ_j sample[j]·x_{k-j} + Σ_j output[j]·m_{k-j} + noise·z_k</pre>
 *
 * where z_k is fresh standard normal noise (ancestral samplers only). Every diffusers sampler without
 * clipping or thresholding is linear in its samples and model outputs, so this form holds all of them:
 * multistep methods reach back through earlier outputs, and PNDM's second step through the first sample.
 *
 * @param timestep    what the UNet receives (whole numbers except for Euler/LMS linspace spacing)
 * @param inputScale  {@code scale_model_input} as a factor (1 for DDIM, PNDM, DPM++)
 * @param sample      coefficients of x_k, x_{k-1}, ...
 * @param output      coefficients of m_k, m_{k-1}, ...
 * @param noise       coefficient of fresh noise (0: none is drawn)
 */
public record SamplerStep(double timestep, double inputScale, double[] sample, double[] output, double noise) {

    public SamplerStep {
        sample = sample.clone();
        output = output.clone();
    }

    /** How many earlier samples or outputs (beyond the current ones) this step reads. */
    public int lookBack() {
        return Math.max(lastNonZero(sample), lastNonZero(output));
    }

    private static int lastNonZero(double[] coefficients) {
        for (int j = coefficients.length - 1; j >= 0; j--) {
            if (coefficients[j] != 0) {
                return j;
            }
        }
        return 0;
    }

    @Override
    public double[] sample() {
        return sample.clone();
    }

    @Override
    public double[] output() {
        return output.clone();
    }

    @Override
    public String toString() {
        return "SamplerStep[t=" + timestep + ", inputScale=" + inputScale + ", sample=" + Arrays.toString(sample)
                + ", output=" + Arrays.toString(output) + ", noise=" + noise + "]";
    }
}

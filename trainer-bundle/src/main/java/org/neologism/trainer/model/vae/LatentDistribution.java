package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import org.neologism.trainer.model.nn.Scalars;

/**
 * diffusers' {@code DiagonalGaussianDistribution}: mean and log-variance (clamped to [-30, 20]) from the
 * quantised moments, std = exp(0.5·logvar). The caller owns the arrays (they live in the input's manager).
 */
public record LatentDistribution(NDArray mean, NDArray logvar, NDArray std) {

    static LatentDistribution of(NDArray moments) {
        long channels = moments.getShape().get(1) / 2;
        NDArray mean = moments.get(":, 0:" + channels);
        NDArray logvar = moments.get(":, " + channels + ":").clip(-30.0f, 20.0f);
        NDArray std = logvar.mul(Scalars.like(logvar, 0.5)).exp();
        return new LatentDistribution(mean, logvar, std);
    }

    /** mean + std · eps: a sample with a given standard-normal {@code eps} of the latents' shape. */
    public NDArray sample(NDArray eps) {
        return mean.add(std.mul(eps));
    }
}

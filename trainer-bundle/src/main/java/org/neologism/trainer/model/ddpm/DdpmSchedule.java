package org.neologism.trainer.model.ddpm;

import org.neologism.core.sampling.TorchLinspace;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.neologism.trainer.model.nn.HostTransfers;
import org.neologism.trainer.model.config.SchedulerConfig;

/**
 * The DDPM forward process as diffusers' {@code DDPMScheduler} computes it in float32: betas
 * ({@code scaled_linear}: linspace(√β₀, √β₁, N)², {@code linear}: linspace(β₀, β₁, N), or trained),
 * alphas = 1 - betas, ᾱ = cumprod(alphas) (accumulated in double, rounded per element, like libtorch's CPU
 * cumprod), x_t = √ᾱ_t·x₀ + √(1-ᾱ_t)·ε and v = √ᾱ_t·ε - √(1-ᾱ_t)·x₀.
 */
public final class DdpmSchedule {

    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;
    private final boolean vPrediction;

    public DdpmSchedule(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        betas = betas(config, n);
        alphas = new float[n];
        alphasCumprod = new float[n];
        double product = 1;
        for (int i = 0; i < n; i++) {
            alphas[i] = 1f - betas[i];
            product *= alphas[i];
            alphasCumprod[i] = (float) product;
        }
        vPrediction = config.vPrediction();
    }

    private static float[] betas(SchedulerConfig config, int n) {
        List<Double> trained = config.trainedBetas();
        if (trained != null) {
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                b[i] = trained.get(i).floatValue();
            }
            return b;
        }
        if ("linear".equals(config.betaSchedule())) {
            return TorchLinspace.float32(config.betaStart().floatValue(), config.betaEnd().floatValue(), n);
        }
        // torch.linspace(beta_start**0.5, beta_end**0.5, ...): the roots are taken in double, then rounded.
        float[] roots = TorchLinspace.float32((float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), n);
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            b[i] = roots[i] * roots[i];
        }
        return b;
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    public boolean vPrediction() {
        return vPrediction;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphas() {
        return alphas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** √ᾱ_t per timestep (float32, as torch's ** 0.5). */
    public float[] sqrtAlphaProd(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.sqrt(alphasCumprod[checked(timesteps[i])]);
        }
        return out;
    }

    /** √(1 - ᾱ_t) per timestep. */
    public float[] sqrtOneMinusAlphaProd(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.sqrt(1f - alphasCumprod[checked(timesteps[i])]);
        }
        return out;
    }

    /** x_t = √ᾱ_t·x₀ + √(1-ᾱ_t)·ε, with per-sample t. */
    public NDArray addNoise(NDArray original, NDArray noise, long[] timesteps) {
        NDArray a = perSample(original.getManager(), sqrtAlphaProd(timesteps), original);
        NDArray b = perSample(original.getManager(), sqrtOneMinusAlphaProd(timesteps), original);
        return original.mul(a).add(noise.mul(b));
    }

    /** v = √ᾱ_t·ε - √(1-ᾱ_t)·x₀ (the v-prediction target). */
    public NDArray velocity(NDArray original, NDArray noise, long[] timesteps) {
        NDArray a = perSample(original.getManager(), sqrtAlphaProd(timesteps), original);
        NDArray b = perSample(original.getManager(), sqrtOneMinusAlphaProd(timesteps), original);
        return noise.mul(a).sub(original.mul(b));
    }

    /** The training target: ε, or v for {@code v_prediction} models. */
    public NDArray target(NDArray original, NDArray noise, long[] timesteps) {
        return vPrediction ? velocity(original, noise, timesteps) : noise;
    }

    private static NDArray perSample(NDManager manager, float[] values, NDArray like) {
        long[] shape = new long[like.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = values.length;
        HostTransfers.upload();
        return manager.create(values, new Shape(shape)).toType(like.getDataType() == DataType.FLOAT16
                ? DataType.FLOAT16 : DataType.FLOAT32, false);
    }

    private int checked(long t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " outside [0, " + betas.length + ")");
        }
        return (int) t;
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.nn.Scalars;

/**
 * The loss and the placeholder vectors' gradient for one (micro-)batch, as TRAINING.md states it:
 *
 * <pre>
 * latents = (mean + std·eps) · scaling_factor
 * x_t     = √ᾱ_t·latents + √(1-ᾱ_t)·noise
 * ehs     = text_encoder(ids with the placeholder rows replaced by the vectors)
 * loss    = mean((unet(x_t, t, ehs) - target)²)   in float32; target = noise, or v for v-prediction
 * </pre>
 *
 * Each call runs in its own NDManager scope, so a run of any length holds steady memory.
 */
public final class TextualInversionStep {

    /**
     * One batch's inputs.
     *
     * @param inputIds    {@code [B, 77]} token ids, row-major
     * @param timesteps   t per sample
     * @param latentMean  the VAE posterior means, {@code [B, C, h, w]}
     * @param latentStd   the VAE posterior standard deviations
     * @param eps         standard normal draws for the posterior sample
     * @param noise       standard normal DDPM noise
     * @param latentShape {@code [C, h, w]}
     */
    public record Batch(long[] inputIds, long[] timesteps, float[] latentMean, float[] latentStd, float[] eps, float[] noise,
                        long[] latentShape) {

        public int size() {
            return timesteps.length;
        }
    }

    /** The loss of the batch (before any accumulation scaling) and d(loss·scale)/d(vectors). */
    public record Outcome(float loss, float[] gradient) {}

    private final FrozenNetworks networks;
    private final long[] placeholderIds;
    private final double scalingFactor;

    /**
     * @param placeholderIds the token ids whose embeddings the vectors replace, one per vector
     */
    public TextualInversionStep(FrozenNetworks networks, long[] placeholderIds) {
        this.networks = networks;
        this.placeholderIds = placeholderIds.clone();
        this.scalingFactor = networks.vae().scalingFactor();
    }

    /**
     * @param vectors   the current {@code [n, d]} placeholder vectors, row-major
     * @param lossScale what the loss is multiplied by before backward: 1 / gradient_accumulation_steps
     */
    public Outcome run(NDManager parent, float[] vectors, Batch batch, float lossScale) {
        int width = networks.tokenWidth();
        Shape latents = new Shape(batch.size(), batch.latentShape()[0], batch.latentShape()[1], batch.latentShape()[2]);
        try (NDManager step = parent.newSubManager()) {
            NDArray mean = step.create(batch.latentMean(), latents);
            NDArray std = step.create(batch.latentStd(), latents);
            NDArray x0 = mean.add(std.mul(step.create(batch.eps(), latents))).mul((float) scalingFactor);
            NDArray noise = step.create(batch.noise(), latents);
            NDArray noisy = networks.schedule().addNoise(x0, noise, batch.timesteps());
            NDArray target = networks.schedule().target(x0, noise, batch.timesteps());
            NDArray ids = step.create(batch.inputIds(), new Shape(batch.size(), batch.inputIds().length / batch.size()));
            NDArray timesteps = step.create(batch.timesteps());

            NDArray trainable = step.create(vectors, new Shape(placeholderIds.length, width));
            trainable.setRequiresGradient(true);
            float loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                NDArray states = networks.textEncoder().forward(ids, new TokenSplice(placeholderIds, trainable));
                NDArray prediction = networks.unet().forward(noisy, timesteps, states);
                // The loss is computed in float32 (mixed precision); the cast must keep the gradient.
                NDArray error = networks.kernels().cast(prediction, DataType.FLOAT32).sub(target);
                NDArray mse = error.square().mean();
                // A Java number multiplied in here would be a scalar tensor DJL frees before backward.
                collector.backward(lossScale == 1f ? mse : mse.mul(Scalars.like(mse, lossScale)));
                loss = mse.getFloat();
            }
            return new Outcome(loss, trainable.getGradient().toFloatArray());
        }
    }
}

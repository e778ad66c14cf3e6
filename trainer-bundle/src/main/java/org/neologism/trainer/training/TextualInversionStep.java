package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.unet.AddedConditions;
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
 * For SDXL the text side is the {@link org.neologism.trainer.model.conditioning.TextConditioner}'s: each
 * vector row holds one slice per text encoder ({@code [d1 | d2]}), each encoder sees its own slice at its
 * own placeholder ids, and the UNet also gets the pooled projection and the batch's {@code add_time_ids}.
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
     * @param inputIds2   SDXL: {@code [B, 77]} ids of the second tokenizer; null for one text encoder
     * @param addTimeIds  SDXL: {@code [B, 6]} time ids (original h, w, crop top, left, target h, w); else null
     */
    public record Batch(long[] inputIds, long[] timesteps, float[] latentMean, float[] latentStd, float[] eps, float[] noise,
                        long[] latentShape, long[] inputIds2, float[] addTimeIds) {

        /** A batch for a model with one text encoder (SD 1.x/2.x). */
        public Batch(long[] inputIds, long[] timesteps, float[] latentMean, float[] latentStd, float[] eps,
                     float[] noise, long[] latentShape) {
            this(inputIds, timesteps, latentMean, latentStd, eps, noise, latentShape, null, null);
        }

        public int size() {
            return timesteps.length;
        }
    }

    /** The loss of the batch (before any accumulation scaling) and d(loss·scale)/d(vectors). */
    public record Outcome(float loss, float[] gradient) {}

    private final FrozenNetworks networks;
    private final List<long[]> placeholderIds;
    private final int vectorCount;
    private final double scalingFactor;

    /**
     * @param placeholderIds the token ids whose embeddings the vectors replace, one per vector, the same in
     *                       every tokenizer
     */
    public TextualInversionStep(FrozenNetworks networks, long[] placeholderIds) {
        this(networks, java.util.Collections.nCopies(networks.text().encoders().size(), placeholderIds));
    }

    /**
     * @param placeholderIds per text encoder (in pipeline order), the ids its tokenizer gave the placeholder
     *                       tokens, one per vector
     */
    public TextualInversionStep(FrozenNetworks networks, List<long[]> placeholderIds) {
        if (placeholderIds.size() != networks.text().encoders().size()) {
            throw new IllegalArgumentException(placeholderIds.size() + " placeholder id lists for "
                    + networks.text().encoders().size() + " text encoders");
        }
        this.networks = networks;
        this.placeholderIds = placeholderIds.stream().map(long[]::clone).toList();
        this.vectorCount = placeholderIds.get(0).length;
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
            List<NDArray> ids = new ArrayList<>();
            ids.add(idArray(step, batch.inputIds(), batch.size()));
            if (placeholderIds.size() > 1) {
                ids.add(idArray(step, batch.inputIds2(), batch.size()));
            }
            NDArray timesteps = step.create(batch.timesteps());

            NDArray trainable = step.create(vectors, new Shape(vectorCount, width));
            trainable.setRequiresGradient(true);
            float loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                Conditioning conditioning = networks.text().condition(ids, splices(trainable));
                AddedConditions added = networks.unet().needsAddedConditions()
                        ? new AddedConditions(conditioning.pooledPromptEmbeds(),
                                step.create(batch.addTimeIds(), new Shape(batch.size(), 6)))
                        : null;
                NDArray prediction = networks.unet().forward(noisy, timesteps, conditioning.promptEmbeds(), added);
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

    private static NDArray idArray(NDManager step, long[] ids, int batch) {
        if (ids == null) {
            throw new IllegalArgumentException("this model has two text encoders: the batch needs the ids of both");
        }
        return step.create(ids, new Shape(batch, ids.length / batch));
    }

    /** Each encoder's columns of the trainable rows, spliced in at that encoder's placeholder ids. */
    private List<TokenSplice> splices(NDArray trainable) {
        int[] widths = networks.text().widths();
        List<TokenSplice> splices = new ArrayList<>();
        int offset = 0;
        for (int e = 0; e < widths.length; e++) {
            NDArray columns = widths.length == 1 ? trainable
                    : trainable.get(new NDIndex(":, " + offset + ":" + (offset + widths[e])));
            splices.add(new TokenSplice(placeholderIds.get(e), columns));
            offset += widths[e];
        }
        return splices;
    }
}

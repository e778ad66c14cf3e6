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
import org.neologism.trainer.model.nn.FlopCounter;
import org.neologism.trainer.model.nn.HostTransfers;
import org.neologism.trainer.model.nn.Scalars;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;

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
 * The step runs on tensors already on the device ({@link #runOnDevice}); {@link #run} is the same step
 * fed from and read back to Java arrays, as the parity tests and the benchmark use it. Each call runs in
 * its own NDManager scope, so a run of any length holds steady memory.
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

    /**
     * One batch's inputs on the device.
     *
     * @param inputIds              per text encoder, {@code [B, 77]} int64
     * @param timesteps             {@code [B]} int64
     * @param sqrtAlphaProd         √ᾱ_t, {@code [B, 1, 1, 1]} float32
     * @param sqrtOneMinusAlphaProd √(1-ᾱ_t), {@code [B, 1, 1, 1]} float32
     * @param latentMean            {@code [B, C, h, w]} float32, as are std, eps and noise
     * @param addTimeIds            SDXL: {@code [B, 6]} float32; else null
     */
    public record DeviceBatch(List<NDArray> inputIds, NDArray timesteps, NDArray sqrtAlphaProd,
                              NDArray sqrtOneMinusAlphaProd, NDArray latentMean, NDArray latentStd, NDArray eps,
                              NDArray noise, NDArray addTimeIds) {}

    /** The loss of the batch (before any accumulation scaling) and d(loss·scale)/d(vectors). */
    public record Outcome(float loss, float[] gradient) {}

    /** The same on the device: a 0-d float32 loss and the {@code [n, d]} gradient, in the step's scope. */
    public record DeviceOutcome(NDArray loss, NDArray gradient) {}

    private final FrozenNetworks networks;
    private final List<long[]> placeholderIds;
    private final int vectorCount;
    private final double scalingFactor;
    private final boolean gradientCheckpointing;

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
        this(networks, placeholderIds, false);
    }

    /**
     * @param gradientCheckpointing {@code --gradient_checkpointing}: recompute the UNet's blocks in backward instead of
     *                              keeping their activations (less memory, one more UNet forward per step)
     */
    public TextualInversionStep(FrozenNetworks networks, List<long[]> placeholderIds, boolean gradientCheckpointing) {
        if (placeholderIds.size() != networks.text().encoders().size()) {
            throw new IllegalArgumentException(placeholderIds.size() + " placeholder id lists for "
                    + networks.text().encoders().size() + " text encoders");
        }
        this.networks = networks;
        this.placeholderIds = placeholderIds.stream().map(long[]::clone).toList();
        this.vectorCount = placeholderIds.get(0).length;
        this.scalingFactor = networks.vae().scalingFactor();
        this.gradientCheckpointing = gradientCheckpointing;
    }

    /**
     * @param vectors   the current {@code [n, d]} placeholder vectors, row-major
     * @param lossScale what the loss is multiplied by before backward: 1 / gradient_accumulation_steps
     */
    public Outcome run(NDManager parent, float[] vectors, Batch batch, float lossScale) {
        return run(parent, vectors, batch, lossScale, StepClock.NONE);
    }

    /** As above, telling {@code clock} as each phase of the step ends. */
    public Outcome run(NDManager parent, float[] vectors, Batch batch, float lossScale, StepClock clock) {
        int width = networks.tokenWidth();
        try (NDManager step = parent.newSubManager()) {
            DeviceBatch onDevice = upload(step, batch);
            NDArray trainable = upload(step.create(vectors, new Shape(vectorCount, width)));
            clock.lap(StepClock.Phase.UPLOAD);
            DeviceOutcome outcome = forwardBackward(trainable, onDevice, lossScale, clock);
            HostTransfers.download();
            float loss = outcome.loss().getFloat();
            HostTransfers.download();
            float[] gradient = outcome.gradient().toFloatArray();
            clock.lap(StepClock.Phase.DOWNLOAD);
            return new Outcome(loss, gradient);
        }
    }

    /** {@code batch} copied to {@code step}'s device. */
    public DeviceBatch upload(NDManager step, Batch batch) {
        int size = batch.size();
        Shape latents = new Shape(size, batch.latentShape()[0], batch.latentShape()[1], batch.latentShape()[2]);
        Shape perSample = new Shape(size, 1, 1, 1);
        List<NDArray> ids = new ArrayList<>();
        ids.add(upload(idArray(step, batch.inputIds(), size)));
        if (placeholderIds.size() > 1) {
            ids.add(upload(idArray(step, batch.inputIds2(), size)));
        }
        NDArray addTimeIds = networks.unet().needsAddedConditions()
                ? upload(step.create(batch.addTimeIds(), new Shape(size, 6)))
                : null;
        return new DeviceBatch(ids,
                upload(step.create(batch.timesteps())),
                upload(step.create(networks.schedule().sqrtAlphaProd(batch.timesteps()), perSample)),
                upload(step.create(networks.schedule().sqrtOneMinusAlphaProd(batch.timesteps()), perSample)),
                upload(step.create(batch.latentMean(), latents)),
                upload(step.create(batch.latentStd(), latents)),
                upload(step.create(batch.eps(), latents)),
                upload(step.create(batch.noise(), latents)),
                addTimeIds);
    }

    /**
     * The step on the device: nothing is copied from or to the host.
     *
     * @param step    the scope the step's tensors (and the outcome) belong to
     * @param vectors the current {@code [n, d]} vectors; they are not changed
     */
    public DeviceOutcome runOnDevice(NDManager step, NDArray vectors, DeviceBatch batch, float lossScale, StepClock clock) {
        NDArray trainable = vectors.duplicate();
        trainable.attach(step);
        return forwardBackward(trainable, batch, lossScale, clock);
    }

    /** @param trainable a fresh copy of the vectors in the step's scope, which becomes the leaf autograd differentiates */
    private DeviceOutcome forwardBackward(NDArray trainable, DeviceBatch batch, float lossScale, StepClock clock) {
        NDManager step = trainable.getManager();
        trainable.setRequiresGradient(true);
        NDArray mean = batch.latentMean();
        NDArray x0 = mean.add(batch.latentStd().mul(batch.eps())).mul(Scalars.like(mean, scalingFactor));
        // DdpmSchedule's add_noise and velocity, with the per-sample coefficients already gathered.
        NDArray noise = batch.noise();
        NDArray noisy = x0.mul(batch.sqrtAlphaProd()).add(noise.mul(batch.sqrtOneMinusAlphaProd()));
        NDArray target = networks.schedule().vPrediction()
                ? noise.mul(batch.sqrtAlphaProd()).sub(x0.mul(batch.sqrtOneMinusAlphaProd()))
                : noise;
        clock.lap(StepClock.Phase.NOISING);
        NDArray mse;
        try (GradientCollector collector = step.getEngine().newGradientCollector()) {
            FlopCounter.gradientPath(true);
            Conditioning conditioning = networks.text().condition(batch.inputIds(), splices(trainable));
            FlopCounter.gradientPath(false);
            AddedConditions added = networks.unet().needsAddedConditions()
                    ? new AddedConditions(conditioning.pooledPromptEmbeds(), batch.addTimeIds())
                    : null;
            clock.lap(StepClock.Phase.TEXT_ENCODER);
            if (gradientCheckpointing) {
                mse = checkpointedLossAndBackward(collector, step, noisy, batch.timesteps(), conditioning, added, target,
                        lossScale, clock);
                clock.lap(StepClock.Phase.BACKWARD);
                NDArray gradient = trainable.getGradient();
                gradient.attach(step);
                return new DeviceOutcome(mse, gradient);
            }
            NDArray prediction = networks.unet().forward(noisy, batch.timesteps(), conditioning.promptEmbeds(), added);
            clock.lap(StepClock.Phase.UNET_FORWARD);
            // The loss is computed in float32 (mixed precision); the cast must keep the gradient.
            NDArray error = networks.kernels().cast(prediction, DataType.FLOAT32).sub(target);
            mse = error.square().mean();
            clock.lap(StepClock.Phase.LOSS);
            // A Java number multiplied in here would be a scalar tensor DJL frees before backward.
            collector.backward(lossScale == 1f ? mse : mse.mul(Scalars.like(mse, lossScale)));
            clock.lap(StepClock.Phase.BACKWARD);
        }
        NDArray gradient = trainable.getGradient();
        gradient.attach(step);
        return new DeviceOutcome(mse, gradient);
    }

    /**
     * {@code --gradient_checkpointing}: the UNet runs block by block without keeping its graph
     * ({@link UNet2DCondition#forwardCheckpointed}); the loss's gradient at the prediction goes back through the
     * blocks, each recomputed with autograd, to the text states, and from them through the text encoder's graph
     * (kept: it is small) to the vectors. The same gradient as the plain step up to float summation order.
     */
    private NDArray checkpointedLossAndBackward(GradientCollector collector, NDManager step, NDArray noisy,
                                                NDArray timesteps, Conditioning conditioning, AddedConditions added,
                                                NDArray target, float lossScale, StepClock clock) {
        try (UNet2DCondition.CheckpointedForward unet = networks.unet().forwardCheckpointed(step, noisy, timesteps,
                conditioning.promptEmbeds(), added)) {
            clock.lap(StepClock.Phase.UNET_FORWARD);
            NDArray prediction = unet.output().stopGradient();
            prediction.setRequiresGradient(true);
            NDArray error = networks.kernels().cast(prediction, DataType.FLOAT32).sub(target);
            NDArray mse = error.square().mean();
            clock.lap(StepClock.Phase.LOSS);
            collector.backward(lossScale == 1f ? mse : mse.mul(Scalars.like(mse, lossScale)));
            UNet2DCondition.CheckpointedForward.InputGradients inputs = unet.backward(collector, prediction.getGradient());
            // d(Σ y·g)/dy = g: one backward through the text encoder from both of the UNet's text inputs.
            NDArray product = conditioning.promptEmbeds().mul(inputs.context().toType(
                    conditioning.promptEmbeds().getDataType(), false)).sum();
            if (inputs.textEmbeds() != null) {
                NDArray pooled = conditioning.pooledPromptEmbeds();
                product = product.add(pooled.mul(inputs.textEmbeds().toType(pooled.getDataType(), false)).sum());
            }
            collector.backward(product);
            mse.attach(step);
            return mse;
        }
    }

    private static NDArray upload(NDArray fromJava) {
        HostTransfers.upload();
        return fromJava;
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

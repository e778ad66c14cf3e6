package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.neologism.core.training.TrainingRequest;

/**
 * A training run's step on made-up inputs of the real shapes, for the benchmark. With the latent cache it
 * is the run's own path: {@link DeviceBatches} and {@link DeviceTraining} (batch gathered and drawn on
 * the device, AdamW there, one read back). Without it, as diffusers does every step: the batch's pixels
 * through the VAE, the posterior read back and the step fed from Java, AdamW in Java.
 */
final class SyntheticRun {

    private static final int TOKENS = 77;
    private static final long PLACEHOLDER = 5;
    private static final double LEARNING_RATE = 1e-4;

    private final FrozenNetworks networks;
    private final float[] pixels;
    private final StepBenchmark.Options options;
    private final NDManager manager;
    private final TextualInversionStep step;
    private final long[] promptIds;
    private final DeviceTraining device;
    private final AdamW hostOptimizer;
    private final float[] hostVectors;
    /** SDXL: one sample's {@code add_time_ids}; else null. */
    private final float[] timeIds;
    private final SplittableRandom random = new SplittableRandom(2);
    private long done;

    SyntheticRun(FrozenNetworks networks, LatentCache cache, float[] pixels, StepBenchmark.Options options,
                 NDManager manager) {
        this.networks = networks;
        this.pixels = pixels;
        this.options = options;
        this.manager = manager;
        this.step = new TextualInversionStep(networks, java.util.Collections.nCopies(networks.text().encoders().size(),
                new long[] {PLACEHOLDER}), options.gradientCheckpointing());
        // Start, a few words, the placeholder, then padding; small ids exist in every vocabulary.
        this.promptIds = new long[TOKENS];
        for (int position = 0; position < TOKENS; position++) {
            promptIds[position] = position == 0 ? 0 : position == 5 ? PLACEHOLDER : position < 8 ? 10 + position : 1;
        }
        TrainingRequest defaults = TrainingRequest.builder("<bench>").build();
        AdamW.Settings settings = new AdamW.Settings(defaults.adamBeta1(), defaults.adamBeta2(), defaults.adamWeightDecay(),
                defaults.adamEpsilon());
        this.hostVectors = new float[networks.tokenWidth()];
        this.hostOptimizer = new AdamW(settings, hostVectors.length);
        int numTrainTimesteps = networks.schedule().numTrainTimesteps();
        TrainingRandom draws = new TrainingRandom(1, cache.imageCount(), 1, 1, numTrainTimesteps);
        // Every text encoder sees the same ids; SDXL's time ids are those of an uncropped square image.
        int encoders = networks.text().encoders().size();
        List<List<long[]>> captions = java.util.Collections.nCopies(encoders, java.util.Arrays.asList(new long[][] {null}));
        int side = options.resolution();
        this.timeIds = networks.unet().needsAddedConditions() ? new float[] {side, side, 0, 0, side, side} : null;
        DeviceBatches batches = new DeviceBatches(draws, cache, java.util.Collections.nCopies(encoders, List.of(promptIds)),
                captions, timeIds == null ? null : new float[][] {timeIds}, networks.schedule(), manager);
        this.device = new DeviceTraining(step, batches, hostVectors, 1, new AdamW(settings, hostVectors.length),
                options.batchSize(), 1, manager);
    }

    void step(StepClock clock) {
        if (options.latentCache()) {
            device.step(done++, LEARNING_RATE, clock);
        } else {
            stepWithoutCache(clock);
        }
    }

    private void stepWithoutCache(StepClock clock) {
        int batch = options.batchSize();
        LatentCache.Posterior posterior;
        try (NDManager scope = manager.newSubManager()) {
            int side = options.resolution();
            posterior = LatentCache.posterior(networks.vae(), scope.create(repeat(pixels, batch), new Shape(batch, 3, side, side)));
        }
        clock.lap(StepClock.Phase.VAE_ENCODE);
        float[] eps = TrainingRandom.gaussian(random, posterior.mean().length);
        float[] noise = TrainingRandom.gaussian(random, posterior.mean().length);
        long[] timesteps = new long[batch];
        for (int b = 0; b < batch; b++) {
            timesteps[b] = random.nextInt(networks.schedule().numTrainTimesteps());
        }
        clock.lap(StepClock.Phase.BATCH);
        long[] ids = repeat(promptIds, batch);
        boolean sdxl = timeIds != null;
        TextualInversionStep.Outcome outcome = step.run(manager, hostVectors, new TextualInversionStep.Batch(ids, timesteps,
                posterior.mean(), posterior.std(), eps, noise, posterior.shape(), sdxl ? ids : null,
                sdxl ? repeat(timeIds, batch) : null), 1f, clock);
        hostOptimizer.step(hostVectors, outcome.gradient(), LEARNING_RATE);
        clock.lap(StepClock.Phase.OPTIMIZER);
    }

    private static float[] repeat(float[] values, int times) {
        float[] out = new float[values.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(values, 0, out, i * values.length, values.length);
        }
        return out;
    }

    private static long[] repeat(long[] values, int times) {
        long[] out = new long[values.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(values, 0, out, i * values.length, values.length);
        }
        return out;
    }
}

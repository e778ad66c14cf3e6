package org.neologism.trainer.training;

import java.util.SplittableRandom;

/**
 * Every random choice of a run — which image, which prompt template, whether to flip, the timestep,
 * the posterior eps and the DDPM noise — drawn from the run's seed and the sample's position in the
 * run, never from a generator that carries state from step to step. A run resumed at step N therefore
 * draws exactly what the uninterrupted run drew, and a checkpoint needs only the seed.
 *
 * <p>Images are visited as diffusers' shuffled DataLoader does: each epoch of {@code images × repeats}
 * samples is a fresh permutation.
 */
public final class TrainingRandom {

    /** What one sample of a batch uses. */
    public record Draw(int image, int template, boolean flip, int timestep) {}

    private static final long EPOCH_STREAM = 0x45504f4348L;
    private static final long SAMPLE_STREAM = 0x53414d504cL;
    private static final long EPS_STREAM = 0x455053L;
    private static final long NOISE_STREAM = 0x4e4f495345L;

    private final long seed;
    private final int imageCount;
    private final int epochLength;
    private final int templateCount;
    private final int timesteps;
    private final double flipProbability;
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    /**
     * @param imageCount    images in the training folder
     * @param repeats       how often each image appears per epoch
     * @param templateCount prompt templates to choose from
     * @param timesteps     the scheduler's num_train_timesteps
     */
    public TrainingRandom(long seed, int imageCount, int repeats, int templateCount, int timesteps) {
        this(seed, imageCount, repeats, templateCount, timesteps, 0.5);
    }

    /** As above, mirroring a sample with {@code flipProbability}. */
    public TrainingRandom(long seed, int imageCount, int repeats, int templateCount, int timesteps, double flipProbability) {
        if (imageCount <= 0 || repeats <= 0 || templateCount <= 0 || timesteps <= 0) {
            throw new IllegalArgumentException("Nothing to sample from: " + imageCount + " images × " + repeats
                    + " repeats, " + templateCount + " templates, " + timesteps + " timesteps");
        }
        this.seed = seed;
        this.imageCount = imageCount;
        this.epochLength = Math.multiplyExact(imageCount, repeats);
        this.templateCount = templateCount;
        this.timesteps = timesteps;
        this.flipProbability = flipProbability;
    }

    public long seed() {
        return seed;
    }

    /** The draw for the run's {@code sample}-th sample (counted over all steps and micro-batches). */
    public Draw draw(long sample) {
        long epoch = sample / epochLength;
        int position = (int) (sample % epochLength);
        int image = permutation(epoch)[position] % imageCount;
        SplittableRandom random = generator(SAMPLE_STREAM, sample);
        return new Draw(image, random.nextInt(templateCount), random.nextDouble() < flipProbability, random.nextInt(timesteps));
    }

    /** Standard normal values for the posterior sample {@code mean + std·eps} of one sample. */
    public float[] posteriorEps(long sample, int count) {
        return gaussian(generator(EPS_STREAM, sample), count);
    }

    /** Standard normal DDPM noise for one sample. */
    public float[] noise(long sample, int count) {
        return gaussian(generator(NOISE_STREAM, sample), count);
    }

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int[] order = new int[epochLength];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            SplittableRandom random = generator(EPOCH_STREAM, epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            cachedPermutation = order;
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }

    /** {@code count} standard normal draws of {@code random}. */
    static float[] gaussian(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /**
     * A seed for libtorch's generator that draws one sample's {@code stream} on the device, independent
     * per (stream, sample) as the Java streams are: the device draws depend on the seed and the sample's
     * position only, so a checkpoint's seed and step are the generator's whole state.
     */
    long streamSeed(long stream, long sample) {
        return generator(stream, sample).nextLong();
    }

    /** An independent generator per (stream, index): SplittableRandom's seeding mixes the bits. */
    private SplittableRandom generator(long stream, long index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + index);
    }
}

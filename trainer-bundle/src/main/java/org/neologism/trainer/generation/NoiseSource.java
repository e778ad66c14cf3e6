package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Where the sampler's randomness comes from: the initial latents and an ancestral sampler's per-step
 * noise. Drawn in Java from a seed, so generation never touches libtorch's global generator (which
 * training shares) and a seed gives the same image on every run.
 */
public interface NoiseSource {

    /** The initial latents (before {@code init_noise_sigma}). */
    NDArray initial(NDManager manager, Shape shape);

    /** Fresh standard normal noise for step {@code step}. */
    NDArray step(NDManager manager, int step, Shape shape);

    /** Standard normal values from {@code seed}: one stream for the start and one for each step. */
    static NoiseSource seeded(long seed) {
        return new NoiseSource() {
            @Override
            public NDArray initial(NDManager manager, Shape shape) {
                return normal(manager, new SplittableRandom(seed), shape);
            }

            @Override
            public NDArray step(NDManager manager, int step, Shape shape) {
                return normal(manager, new SplittableRandom(seed + GOLDEN_GAMMA * (step + 1L)), shape);
            }
        };
    }

    /** SplittableRandom's own seed increment: streams of neighbouring seeds stay unrelated. */
    long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private static NDArray normal(NDManager manager, SplittableRandom random, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i += 2) {
            // Box–Muller: two normals from two uniforms, u1 in (0, 1]
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double radius = Math.sqrt(-2 * Math.log(u1));
            values[i] = (float) (radius * Math.cos(2 * Math.PI * u2));
            if (i + 1 < values.length) {
                values[i + 1] = (float) (radius * Math.sin(2 * Math.PI * u2));
            }
        }
        return manager.create(values, shape);
    }
}

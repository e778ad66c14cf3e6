package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.neologism.trainer.engine.ProcessMemory;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * Times the training step of a model: the text encoder with spliced vectors, the UNet forward and
 * backward, and the update, on random inputs of the real shapes (warm-up steps excluded). Also times
 * one VAE encode, the cost the latent cache pays once per image and flip instead of every step.
 */
public final class StepBenchmark {

    /**
     * What was measured.
     *
     * @param stepMillis     every timed step, in milliseconds
     * @param vaeEncodeMillis one image through the VAE encoder
     * @param residentBytes  the process's resident memory after the steps
     */
    public record Result(String model, int resolution, int batchSize, String precision, String kernels,
                         double[] stepMillis, double vaeEncodeMillis, long residentBytes) {

        public double medianMillis() {
            double[] sorted = stepMillis.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }
    }

    private StepBenchmark() {}

    public static Result run(TorchEngine torch, DiffusersFolder model, int resolution, int batchSize, boolean fp16,
                             boolean fused, int warmup, int steps, Consumer<String> progress) throws IOException {
        Path modelDir = model.root();
        JniUtils.setGradMode(false);
        try (NDManager manager = torch.newManager();
             KernelChoice kernels = KernelChoice.of(fused, fp16, manager, progress)) {
            progress.accept("Loading " + modelDir);
            FrozenNetworks networks = FrozenNetworks.load(model, manager, fp16, kernels.kernels());
            SplittableRandom random = new SplittableRandom(1);
            float[] pixels = new float[3 * resolution * resolution];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) (random.nextDouble() * 2 - 1);
            }
            long vaeStart = System.nanoTime();
            LatentCache cache = LatentCache.encode(networks.vae(), manager, java.util.List.<float[][]>of(new float[][] {pixels, pixels}), resolution);
            double vaeMillis = (System.nanoTime() - vaeStart) / 2e6;

            int width = networks.tokenWidth();
            float[] vectors = new float[width];
            long[] ids = new long[batchSize * 77];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % 77 == 0 ? 0 : i % 77 < 8 ? 10 + i % 77 : 1;
            }
            LatentCache.Posterior posterior = cache.get(0, false);
            int latentSize = posterior.mean().length;
            float[] mean = repeat(posterior.mean(), batchSize);
            float[] std = repeat(posterior.std(), batchSize);
            TextualInversionStep step = new TextualInversionStep(networks, new long[] {5});
            // SDXL: the same ids for its second tokenizer, and time ids of an uncropped square image.
            boolean sdxl = networks.unet().needsAddedConditions();
            float[] timeIds = new float[batchSize * 6];
            for (int b = 0; b < batchSize; b++) {
                System.arraycopy(new float[] {resolution, resolution, 0, 0, resolution, resolution}, 0, timeIds, b * 6, 6);
            }
            double[] timings = new double[steps];
            for (int s = -warmup; s < steps; s++) {
                float[] eps = TrainingRandom.gaussian(random, batchSize * latentSize);
                float[] noise = TrainingRandom.gaussian(random, batchSize * latentSize);
                long[] timesteps = new long[batchSize];
                for (int b = 0; b < batchSize; b++) {
                    timesteps[b] = random.nextInt(networks.schedule().numTrainTimesteps());
                }
                long start = System.nanoTime();
                step.run(manager, vectors, new TextualInversionStep.Batch(ids, timesteps, mean, std, eps, noise, posterior.shape(),
                        sdxl ? ids : null, sdxl ? timeIds : null), 1f);
                if (s >= 0) {
                    timings[s] = (System.nanoTime() - start) / 1e6;
                    progress.accept(String.format(java.util.Locale.ROOT, "step %d: %.1f ms", s + 1, timings[s]));
                }
            }
            return new Result(modelDir.getFileName().toString(), resolution, batchSize, fp16 ? "fp16" : "fp32",
                    kernels.kernels().name(), timings, vaeMillis, ProcessMemory.residentBytes());
        }
    }

    private static float[] repeat(float[] values, int times) {
        float[] out = new float[values.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(values, 0, out, i * values.length, values.length);
        }
        return out;
    }
}

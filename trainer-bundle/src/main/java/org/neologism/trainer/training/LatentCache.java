package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;

/**
 * The VAE posterior of every training image and of its mirror image, computed once. Latents depend
 * only on (image, flip, eps), so caching the mean and std and drawing a fresh eps each step gives the
 * distribution diffusers gets by re-encoding every step, without the VAE's cost (at 512×512 it exceeds
 * a UNet pass).
 */
public final class LatentCache {

    /**
     * The posterior of one image: {@code latents = (mean + std·eps) · scaling_factor}.
     *
     * @param shape {@code [C, h, w]} of the latents
     */
    public record Posterior(float[] mean, float[] std, long[] shape) {}

    private final List<Posterior[]> posteriors;

    private LatentCache(List<Posterior[]> posteriors) {
        this.posteriors = posteriors;
    }

    /**
     * Encodes every image both ways round.
     *
     * @param images per image, its {@code [3, side, side]} pixels in [-1, 1] and those of its mirror image
     */
    public static LatentCache encode(AutoencoderKL vae, NDManager parent, List<float[][]> images, int side) {
        List<Posterior[]> posteriors = new ArrayList<>();
        for (float[][] image : images) {
            Posterior[] both = new Posterior[2];
            for (int flip = 0; flip < 2; flip++) {
                try (NDManager scope = parent.newSubManager()) {
                    both[flip] = posterior(vae, scope.create(image[flip], new Shape(1, 3, side, side)));
                }
            }
            posteriors.add(both);
        }
        return new LatentCache(posteriors);
    }

    /** The posterior of pixels {@code [B, 3, H, W]}, as float32 arrays in batch order. */
    static Posterior posterior(AutoencoderKL vae, NDArray pixels) {
        LatentDistribution distribution = vae.encode(pixels.toType(vae.dataType(), false));
        NDArray mean = distribution.mean().toType(DataType.FLOAT32, false);
        long[] shape = mean.getShape().slice(1).getShape();
        return new Posterior(mean.toFloatArray(), distribution.std().toType(DataType.FLOAT32, false).toFloatArray(), shape);
    }

    public Posterior get(int image, boolean flip) {
        return posteriors.get(image)[flip ? 1 : 0];
    }

    public int imageCount() {
        return posteriors.size();
    }
}

package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A prompt's conditioning as the pipeline hands it to the UNet, kept as floats so it outlives the scope that
 * encoded it: {@code prompt_embeds} [1, N, D] and, for SDXL, {@code pooled_prompt_embeds} [1, P] (null otherwise).
 */
public record EncodedPrompt(float[] embeds, Shape shape, float[] pooled) {

    public NDArray embeds(NDManager manager) {
        return manager.create(embeds, shape);
    }

    /** The pooled embedding [1, P]; null for SD 1.x/2.x. */
    public NDArray pooled(NDManager manager) {
        return pooled == null ? null : manager.create(pooled, new Shape(1, pooled.length));
    }

    /**
     * {@code torch.zeros_like} of both parts: SDXL's negative conditioning when {@code force_zeros_for_empty_prompt}
     * is set and no negative prompt is given.
     */
    public EncodedPrompt zeros() {
        return new EncodedPrompt(new float[embeds.length], shape, pooled == null ? null : new float[pooled.length]);
    }
}

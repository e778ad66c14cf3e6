package org.neologism.trainer.generation;

/**
 * Classifier-free guidance: ε = u + g·(c − u) for g > 1 (below or at 1 there is no negative pass at all, as in
 * diffusers), and with φ > 0 {@code rescale_noise_cfg}: ε ← φ·ε·std(c)/std(ε) + (1 − φ)·ε.
 *
 * @param scale   g, {@code guidance_scale}
 * @param rescale φ, {@code guidance_rescale}
 */
public record Guidance(double scale, double rescale) {

    public Guidance {
        if (!Double.isFinite(scale) || scale < 0) {
            throw new IllegalArgumentException("--guidance_scale must be a number >= 0, not " + scale);
        }
        if (!(rescale >= 0 && rescale <= 1)) {
            throw new IllegalArgumentException("--guidance_rescale must be between 0 and 1, not " + rescale);
        }
    }

    /** diffusers' {@code do_classifier_free_guidance}. */
    public boolean enabled() {
        return scale > 1;
    }
}

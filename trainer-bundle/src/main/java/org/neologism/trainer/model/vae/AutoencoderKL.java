package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.nn.Conv2d;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;

/** diffusers' {@code AutoencoderKL}: encoder + quant_conv to a latent distribution, post_quant_conv + decoder back. */
public final class AutoencoderKL extends Module {

    private final VaeConfig config;
    private final VaeEncoder encoder;
    private final VaeDecoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    public AutoencoderKL(VaeConfig config, Kernels kernels) {
        this.config = config;
        encoder = child("encoder", new VaeEncoder(config, kernels));
        decoder = child("decoder", new VaeDecoder(config, kernels));
        long moments = 2L * config.latentChannels();
        quantConv = child("quant_conv", new Conv2d(moments, moments, 1, 1, 0));
        postQuantConv = child("post_quant_conv", new Conv2d(config.latentChannels(), config.latentChannels(), 1, 1, 0));
    }

    public VaeConfig config() {
        return config;
    }

    /** The latent distribution of pixels in [-1, 1], NCHW; arrays in the weights' dtype. */
    public LatentDistribution encode(NDArray pixels) {
        return LatentDistribution.of(quantConv.forward(encoder.forward(pixels.toType(quantConv.dataType(), false))));
    }

    /** Pixels (about [-1, 1]) of unscaled latents (divide scaled latents by {@code scaling_factor} first). */
    public NDArray decode(NDArray latents) {
        return decoder.forward(postQuantConv.forward(latents.toType(postQuantConv.dataType(), false)));
    }

    public double scalingFactor() {
        return config.scalingFactor();
    }

    /** Weights' dtype. */
    public DataType dataType() {
        return quantConv.dataType();
    }
}

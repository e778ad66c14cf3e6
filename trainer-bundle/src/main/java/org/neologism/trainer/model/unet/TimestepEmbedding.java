package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.Scalars;
import org.neologism.trainer.model.nn.Linear;
import org.neologism.trainer.model.nn.Module;

/**
 * {@code time_proj} (sinusoidal, parameter-free) and {@code time_embedding} (linear_1, SiLU, linear_2).
 * The sinusoid is computed in float32 with libtorch's own ops, as diffusers does for every dtype.
 */
final class TimestepEmbedding extends Module {

    private final int channels;
    private final boolean flipSinToCos;
    private final double freqShift;
    private final Linear linear1;
    private final Linear linear2;

    TimestepEmbedding(int channels, long embeddingWidth, boolean flipSinToCos, double freqShift) {
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
        linear1 = child("linear_1", new Linear(channels, embeddingWidth, true));
        linear2 = child("linear_2", new Linear(embeddingWidth, embeddingWidth, true));
    }

    /**
     * get_timestep_embedding: exponent = -ln(10000)·arange(half) / (half - freq_shift);
     * emb = t · exp(exponent); [sin, cos] (swapped to [cos, sin] when flip_sin_to_cos).
     */
    NDArray project(NDArray timesteps) {
        return sinusoid(timesteps, channels, flipSinToCos, freqShift);
    }

    /** The parameter-free {@code Timesteps(channels, flip_sin_to_cos, freq_shift)} of any values [N] → [N, channels]. */
    static NDArray sinusoid(NDArray timesteps, int channels, boolean flipSinToCos, double freqShift) {
        NDManager manager = timesteps.getManager();
        int half = channels / 2;
        NDArray positions = manager.arange(0, half, 1, DataType.FLOAT32);
        NDArray exponent = positions.mul(Scalars.like(positions, (float) -Math.log(10000)))
                .div(Scalars.like(positions, (float) (half - freqShift)));
        NDArray frequencies = exponent.exp();
        NDArray arguments = timesteps.toType(DataType.FLOAT32, false).expandDims(1).mul(frequencies.expandDims(0));
        NDArray sin = arguments.sin();
        NDArray cos = arguments.cos();
        NDArray embedding = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (channels % 2 == 1) {
            embedding = embedding.concat(manager.zeros(new ai.djl.ndarray.types.Shape(embedding.getShape().get(0), 1)), 1);
        }
        return embedding;
    }

    NDArray embed(NDArray projected) {
        return linear2.forward(Activations.SILU.apply(linear1.forward(projected)));
    }
}

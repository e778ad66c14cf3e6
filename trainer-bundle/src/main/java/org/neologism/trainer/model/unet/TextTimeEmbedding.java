package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.model.nn.Kernels;

/**
 * {@code addition_embed_type: text_time} (SDXL): {@code add_time_proj} (sinusoid of each time id, float32)
 * and {@code add_embedding} (a TimestepEmbedding of {@code cat([text_embeds, time_embeds])}, text first).
 * The owner registers {@link #embedding()} as its {@code add_embedding} child, so the weights keep diffusers' names.
 */
final class TextTimeEmbedding {

    private final int timeIdChannels;
    private final boolean flipSinToCos;
    private final double freqShift;
    private final TimestepEmbedding addEmbedding;
    private final Kernels kernels;

    TextTimeEmbedding(Kernels kernels, int timeIdChannels, int inputWidth, long embeddingWidth, boolean flipSinToCos,
            double freqShift) {
        this.kernels = kernels;
        this.timeIdChannels = timeIdChannels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
        addEmbedding = new TimestepEmbedding(inputWidth, embeddingWidth, flipSinToCos, freqShift);
    }

    TimestepEmbedding embedding() {
        return addEmbedding;
    }

    /** {@code aug_emb} [B, time_embed_dim] in {@code type}, the term added to the timestep embedding. */
    NDArray forward(AddedConditions added, DataType type) {
        NDArray textEmbeds = added.textEmbeds();
        long batch = textEmbeds.getShape().get(0);
        NDArray ids = added.timeIds().toType(DataType.FLOAT32, false).reshape(-1);
        NDArray timeEmbeds = TimestepEmbedding.sinusoid(ids, timeIdChannels, flipSinToCos, freqShift).reshape(batch, -1);
        // torch.concat promotes to float32; the text half carries the gradient of the pooled path.
        NDArray text = kernels.cast(textEmbeds, DataType.FLOAT32);
        NDArray addEmbeds = kernels.cast(text.concat(timeEmbeds, -1), type);
        return addEmbedding.embed(addEmbeds);
    }
}

package org.neologism.trainer.model.conditioning;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;

/**
 * The text encoders of a pipeline and how their outputs condition the UNet: SD 1.x/2.x take one encoder's
 * {@code last_hidden_state}; SDXL concatenates both encoders' {@code hidden_states[-2]} and adds the pooled
 * projection. Each encoder has its own tokenizer, so ids (and trainable token splices) come per encoder.
 */
public interface TextConditioner {

    /** The encoders in pipeline order (text_encoder, then text_encoder_2). */
    List<ClipTextModel> encoders();

    /**
     * The conditioning of a batch.
     *
     * @param ids     per encoder, the int64 ids [B, N] its tokenizer gave
     * @param splices per encoder, the trainable rows spliced into its token embedding, or null for none
     */
    Conditioning condition(List<NDArray> ids, List<TokenSplice> splices);

    /** The token width of each encoder: [768], [1024] or SDXL's [768, 1280]. */
    default int[] widths() {
        return encoders().stream().mapToInt(ClipTextModel::width).toArray();
    }

    /** The width of {@code prompt_embeds}: the sum of the encoders' widths. */
    default int totalWidth() {
        int sum = 0;
        for (int width : widths()) {
            sum += width;
        }
        return sum;
    }
}

package org.neologism.trainer.model.conditioning;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;

/** Stable Diffusion 1.x/2.x: {@code prompt_embeds = text_encoder(ids).last_hidden_state}, no pooled embedding. */
public final class SingleEncoderConditioner implements TextConditioner {

    private final ClipTextModel encoder;

    public SingleEncoderConditioner(ClipTextModel encoder) {
        this.encoder = encoder;
    }

    @Override
    public List<ClipTextModel> encoders() {
        return List.of(encoder);
    }

    @Override
    public Conditioning condition(List<NDArray> ids, List<TokenSplice> splices) {
        return new Conditioning(encoder.forward(ids.get(0), splices == null ? null : splices.get(0)), null);
    }
}

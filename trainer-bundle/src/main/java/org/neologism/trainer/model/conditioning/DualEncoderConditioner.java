package org.neologism.trainer.model.conditioning;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;

/**
 * Stable Diffusion XL, as {@code StableDiffusionXLPipeline.encode_prompt} and diffusers' SDXL
 * textual-inversion script form it:
 *
 * <pre>
 * prompt_embeds        = cat([te1(ids1).hidden_states[-2], te2(ids2).hidden_states[-2]], -1)   (te1's columns first)
 * pooled_prompt_embeds = te2(ids2).text_embeds = text_projection(pooled token of te2)
 * </pre>
 */
public final class DualEncoderConditioner implements TextConditioner {

    private final ClipTextModel first;
    private final ClipTextModel second;

    public DualEncoderConditioner(ClipTextModel first, ClipTextModel second) {
        if (!second.hasProjection()) {
            throw new IllegalArgumentException("SDXL's second text encoder must be a CLIPTextModelWithProjection");
        }
        this.first = first;
        this.second = second;
    }

    @Override
    public List<ClipTextModel> encoders() {
        return List.of(first, second);
    }

    @Override
    public Conditioning condition(List<NDArray> ids, List<TokenSplice> splices) {
        NDArray states1 = first.penultimateHiddenState(ids.get(0), splices == null ? null : splices.get(0));
        ClipTextModel.Output out2 = second.encode(ids.get(1), splices == null ? null : splices.get(1));
        NDArray states2 = out2.penultimateHiddenState();
        // Mixed precision may hold the encoders in different types; concat needs one.
        if (states2.getDataType() != states1.getDataType()) {
            throw new IllegalStateException("SDXL's text encoders must hold one dtype, not " + states1.getDataType()
                    + " and " + states2.getDataType());
        }
        return new Conditioning(states1.concat(states2, -1), out2.textEmbeds());
    }
}

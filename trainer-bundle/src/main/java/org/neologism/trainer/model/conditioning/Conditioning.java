package org.neologism.trainer.model.conditioning;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * What the text side hands the UNet: {@code prompt_embeds} [B, N, D] (its cross-attention context) and, for
 * SDXL, {@code pooled_prompt_embeds} [B, P] (the second encoder's projected pooled token, null otherwise).
 */
public record Conditioning(NDArray promptEmbeds, NDArray pooledPromptEmbeds) {

    public Optional<NDArray> pooled() {
        return Optional.ofNullable(pooledPromptEmbeds);
    }
}

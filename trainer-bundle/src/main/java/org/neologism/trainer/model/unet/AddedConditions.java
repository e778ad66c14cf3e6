package org.neologism.trainer.model.unet;

import ai.djl.ndarray.NDArray;

/**
 * SDXL's {@code added_cond_kwargs}: the pooled text embedding {@code text_embeds} [B, P] and the six
 * {@code time_ids} per sample [B, 6] (or flattened [6B]): original height and width, crop top and left,
 * target height and width.
 */
public record AddedConditions(NDArray textEmbeds, NDArray timeIds) {}

package org.neologism.trainer.model.clip;

import ai.djl.ndarray.NDArray;

/**
 * Trainable vectors that replace the token embedding of given ids: row i of {@code vectors} [n, d] is used
 * wherever {@code tokenIds[i]} occurs. Equivalent, for those rows, to the reference scripts' training of
 * the whole embedding matrix (see TRAINING.md); the ids may lie beyond the model's vocabulary.
 */
public record TokenSplice(long[] tokenIds, NDArray vectors) {

    public TokenSplice {
        tokenIds = tokenIds.clone();
        if (vectors.getShape().dimension() != 2 || vectors.getShape().get(0) != tokenIds.length) {
            throw new IllegalArgumentException(tokenIds.length + " token ids need vectors of shape ["
                    + tokenIds.length + ", d], got " + vectors.getShape());
        }
    }
}

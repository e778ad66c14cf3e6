package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The activation functions the supported configs name. */
public enum Activations {
    /** x·σ(x). */
    SILU,
    /** The exact (erf) GELU, {@code torch.nn.functional.gelu}. */
    GELU,
    /** CLIP's approximation x·σ(1.702x). */
    QUICK_GELU;

    public NDArray apply(NDArray x) {
        return switch (this) {
            case SILU -> x.mul(Activation.sigmoid(x));
            case GELU -> Activation.gelu(x);
            case QUICK_GELU -> x.mul(Activation.sigmoid(x.mul(Scalars.like(x, 1.702))));
        };
    }
}

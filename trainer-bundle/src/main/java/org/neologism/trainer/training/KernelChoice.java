package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;

/**
 * libtorch's fused attention and group norm when asked for and loadable, else the composed ones (same
 * numbers, slower, more memory). Closing releases the fused kernels' TorchScript modules.
 */
final class KernelChoice implements AutoCloseable {

    private final Kernels kernels;

    private KernelChoice(Kernels kernels) {
        this.kernels = kernels;
    }

    /**
     * @param halfPrecision whether the run trains in fp16, whose casts on the gradient's path only the
     *                      fused kernels can do (DJL's own cast detaches)
     */
    static KernelChoice of(boolean fused, boolean halfPrecision, Path scratch, NDManager manager, Consumer<String> notices) {
        Kernels kernels = fused ? FusedKernels.orComposed(scratch, manager, notices) : ComposedKernels.INSTANCE;
        if (halfPrecision && !(kernels instanceof FusedKernels)) {
            throw new IllegalStateException("--mixed_precision=fp16 needs libtorch's fused kernels, which are not in use"
                    + " (see the line above, or drop --no_fused_attention); train with --mixed_precision=no instead.");
        }
        return new KernelChoice(kernels);
    }

    Kernels kernels() {
        return kernels;
    }

    @Override
    public void close() {
        if (kernels instanceof FusedKernels fused) {
            fused.close();
        }
    }
}

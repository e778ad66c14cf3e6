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

    static KernelChoice of(boolean fused, Path scratch, NDManager manager, Consumer<String> notices) {
        return new KernelChoice(fused ? FusedKernels.orComposed(scratch, manager, notices) : ComposedKernels.INSTANCE);
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

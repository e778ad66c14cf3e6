package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;

/**
 * libtorch's fused attention and group norm when asked for and loadable, else the composed ones (same
 * numbers, slower, more memory). Closing releases the TorchScript modules.
 */
final class KernelChoice implements AutoCloseable {

    private final Kernels kernels;
    private final AutoCloseable resources;

    private KernelChoice(Kernels kernels, AutoCloseable resources) {
        this.kernels = kernels;
        this.resources = resources;
    }

    static KernelChoice of(boolean fused, Path scratch, NDManager manager, Consumer<String> notices) {
        if (!fused) {
            return new KernelChoice(ComposedKernels.INSTANCE, () -> { });
        }
        try {
            FusedKernels loaded = FusedKernels.load(scratch, manager);
            return new KernelChoice(loaded, loaded);
        } catch (IOException e) {
            notices.accept("Fused kernels are unavailable (" + e.getMessage() + "); using the composed ones");
            return new KernelChoice(ComposedKernels.INSTANCE, () -> { });
        }
    }

    Kernels kernels() {
        return kernels;
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot release the fused kernels: " + e.getMessage(), e);
        }
    }
}

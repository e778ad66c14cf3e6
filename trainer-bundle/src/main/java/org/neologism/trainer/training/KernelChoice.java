package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;

/**
 * libtorch's fused attention and group norm when asked for and loadable, else the composed ones (same
 * numbers, slower, more memory). The fused kernels' TorchScript archives live in a folder of their own
 * for as long as the choice is open; closing releases the modules and deletes the folder.
 */
public final class KernelChoice implements AutoCloseable {

    private final Kernels kernels;
    private final Path archives;

    private KernelChoice(Kernels kernels, Path archives) {
        this.kernels = kernels;
        this.archives = archives;
    }

    /**
     * @param halfPrecision whether the run trains in fp16, whose casts on the gradient's path only the
     *                      fused kernels can do (DJL's own cast detaches)
     */
    public static KernelChoice of(boolean fused, boolean halfPrecision, NDManager manager, Consumer<String> notices)
            throws IOException {
        if (!fused) {
            refuseHalfPrecision(halfPrecision);
            return new KernelChoice(ComposedKernels.INSTANCE, null);
        }
        Path archives = Files.createTempDirectory("neologism-kernels-");
        Kernels kernels = FusedKernels.orComposed(archives, manager, notices);
        if (!(kernels instanceof FusedKernels)) {
            Checkpoint.deleteRecursively(archives);
            refuseHalfPrecision(halfPrecision);
            return new KernelChoice(kernels, null);
        }
        return new KernelChoice(kernels, archives);
    }

    private static void refuseHalfPrecision(boolean halfPrecision) {
        if (halfPrecision) {
            throw new IllegalStateException("--mixed_precision=fp16 needs libtorch's fused kernels, which are not in use"
                    + " (see the line above, or drop --no_fused_attention); train with --mixed_precision=no instead.");
        }
    }

    public Kernels kernels() {
        return kernels;
    }

    @Override
    public void close() throws IOException {
        if (kernels instanceof FusedKernels fused) {
            fused.close();
        }
        if (archives != null) {
            Checkpoint.deleteRecursively(archives);
        }
    }
}

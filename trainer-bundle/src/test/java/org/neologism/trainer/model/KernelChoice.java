package org.neologism.trainer.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** Parity tests run every variant with both kernel implementations. */
final class KernelChoice {

    static final List<String> NAMES = List.of("composed", "fused");

    private static FusedKernels fused;

    private KernelChoice() {}

    static void deleteTree(java.nio.file.Path folder) {
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }

    static List<Object[]> crossVariants() {
        List<Object[]> cases = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (String kernels : NAMES) {
                cases.add(new Object[] {variant, kernels});
            }
        }
        return cases;
    }

    /** The named kernels; the fused ones are written once per test JVM into a temporary folder. */
    static synchronized Kernels kernels(String name, NDManager manager) {
        return switch (name) {
            case "composed" -> ComposedKernels.INSTANCE;
            case "fused" -> {
                if (fused == null) {
                    try {
                        NDManager longLived = new TorchEngine().newManager();
                        java.nio.file.Path folder = Files.createTempDirectory("neologism-kernels");
                        fused = FusedKernels.load(folder, longLived);
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(folder)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                yield fused;
            }
            default -> throw new IllegalArgumentException(name);
        };
    }
}

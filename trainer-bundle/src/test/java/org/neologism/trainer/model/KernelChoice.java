package org.neologism.trainer.model;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;

/** Parity tests run every variant with both kernel implementations. */
final class KernelChoice {

    static final List<String> NAMES = List.of("composed");

    private KernelChoice() {}

    static List<Object[]> crossVariants() {
        List<Object[]> cases = new ArrayList<>();
        for (String variant : Fixtures.variants()) {
            for (String kernels : NAMES) {
                cases.add(new Object[] {variant, kernels});
            }
        }
        return cases;
    }

    static Kernels kernels(String name, NDManager manager) {
        return switch (name) {
            case "composed" -> ComposedKernels.INSTANCE;
            default -> throw new IllegalArgumentException(name);
        };
    }
}

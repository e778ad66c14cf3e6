package org.neologism.trainer.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.neologism.trainer.engine.TorchEngine;

class FlopCounterTest {

    @Test
    void layersCountTheirBackwardOnlyOnTheGradientsPathAndAttentionTwice() {
        try (NDManager manager = new TorchEngine().newManager()) {
            Linear layer = new Linear(8, 4, true);
            layer.namedParameters().values().forEach(p -> p.set(manager.ones(p.shape())));
            NDArray input = manager.ones(new Shape(3, 8));
            NDArray heads = manager.ones(new Shape(1, 2, 5, 4));
            NDArray context = manager.ones(new Shape(1, 2, 7, 4));
            FlopCounter.Tally tally = FlopCounter.count(() -> {
                layer.forward(input);
                FlopCounter.gradientPath(true);
                layer.forward(input);
                ComposedKernels.INSTANCE.attention(heads, context, context, false, false);
            });
            long linear = 2 * 3 * 8 * 4;
            long attention = 2 * 2 * 2 * 5 * 7 * 4;
            assertEquals(2 * linear + attention, tally.forward());
            assertEquals(linear + 2 * attention, tally.backward());
        }
    }
}

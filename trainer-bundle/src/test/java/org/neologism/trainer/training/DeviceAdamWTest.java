package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.neologism.trainer.engine.TorchEngine;

/** The device optimizer is the Java reference (which the parity tests hold to PyTorch), bit for bit. */
class DeviceAdamWTest {

    private static final int STEPS = Integer.getInteger("steps", 200);

    @Test
    void twoHundredStepsOnTheDeviceEqualTheJavaReferenceBitForBit() {
        TorchEngine torch = new TorchEngine();
        JniUtils.setGradMode(false);
        SplittableRandom random = new SplittableRandom(7);
        int size = 2 * 768;
        float[] host = new float[size];
        for (int i = 0; i < size; i++) {
            host[i] = (float) random.nextGaussian() * 0.02f;
        }
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-2, 1e-8);
        AdamW reference = new AdamW(settings, size);
        try (NDManager manager = torch.newManager();
             DeviceAdamW device = new DeviceAdamW(new AdamW(settings, size), new Shape(size), manager)) {
            NDArray parameters = manager.create(host.clone(), new Shape(size));
            for (int step = 0; step < STEPS; step++) {
                float[] gradient = new float[size];
                for (int i = 0; i < size; i++) {
                    gradient[i] = (float) (random.nextGaussian() * Math.pow(10, -random.nextInt(6)));
                }
                double lr = 5e-3 * (1 + Math.cos(Math.PI * step / STEPS)) / 2;
                reference.step(host, gradient, lr);
                try (NDManager scope = manager.newSubManager()) {
                    device.step(parameters, scope.create(gradient, new Shape(2, 768)), lr);
                }
            }
            AdamW state = device.toHost();
            assertArrayEquals(reference.firstMoment(), state.firstMoment(), "first moment");
            assertArrayEquals(reference.secondMoment(), state.secondMoment(), "second moment");
            assertArrayEquals(host, parameters.toFloatArray(), "vectors");
            assertEquals(reference.stepCount(), state.stepCount());
        }
    }
}

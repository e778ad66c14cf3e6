package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.GoldenVariant;

/** Golden fixture files opened with core's reader, and how outputs are compared with them. */
final class GoldenTensors {

    private GoldenTensors() {}

    /** A golden fixture file of {@code variant}, opened with core's reader; the caller closes it. */
    static SafetensorsFile golden(GoldenVariant variant, String file) throws IOException {
        return SafetensorsFile.open(variant.file(file));
    }

    /** The golden tensor {@code name} in its shape: an int64 tensor as INT64, anything else as FLOAT32. */
    static NDArray array(NDManager manager, SafetensorsFile golden, String name) throws IOException {
        SafetensorsEntry entry = golden.entry(name);
        Shape shape = new Shape(entry.shape());
        return entry.dtype() == DType.I64 ? manager.create(golden.readLongs(name), shape)
                : manager.create(golden.readFloats(name), shape);
    }

    /** |actual - expected| <= atol + rtol·|expected| elementwise (numpy.allclose), with a useful message. */
    static void assertClose(String what, float[] expected, NDArray actual, double atol, double rtol) {
        float[] got = actual.toType(DataType.FLOAT32, false).toFloatArray();
        assertClose(what, expected, got, atol, rtol);
    }

    static void assertClose(String what, float[] expected, float[] got, double atol, double rtol) {
        assertTrue(expected.length == got.length, what + ": " + got.length + " values, expected " + expected.length);
        double maxAbs = 0;
        int firstBad = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) got[i] - expected[i]);
            maxAbs = Math.max(maxAbs, diff);
            boolean ok = diff <= atol + rtol * Math.abs(expected[i]);
            if (!ok && firstBad < 0) {
                firstBad = i;
            }
        }
        System.out.printf("%s: max |diff| %.3g over %d values%n", what, maxAbs, expected.length);
        assertTrue(firstBad < 0, what + ": element " + firstBad + " is " + (firstBad < 0 ? 0 : got[firstBad])
                + ", expected " + (firstBad < 0 ? 0 : expected[firstBad]) + " (max |diff| " + maxAbs + ", atol "
                + atol + ", rtol " + rtol + ")");
    }

    static void assertShape(long[] expected, NDArray actual) {
        assertArrayEquals(expected, actual.getShape().getShape(), "shape");
    }
}

package org.neologism.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;

/** A golden fixture file read through core's safetensors reader, with the conversions the parity tests need. */
final class TestSafetensors implements AutoCloseable {

    private final SafetensorsFile file;

    TestSafetensors(Path path) {
        try {
            file = SafetensorsFile.open(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean has(String name) {
        return file.contains(name);
    }

    long[] shape(String name) {
        try {
            return file.entry(name).shape();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    float[] floats(String name) {
        try {
            return file.readFloats(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long[] longs(String name) {
        try {
            return file.readLongs(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An int64 tensor as INT64, anything else as FLOAT32. */
    NDArray array(NDManager manager, String name) {
        try {
            Shape shape = new Shape(file.entry(name).shape());
            return file.entry(name).dtype() == DType.I64 ? manager.create(longs(name), shape)
                    : manager.create(floats(name), shape);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

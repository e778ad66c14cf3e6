package org.neologism.core.tensors;

import java.util.Arrays;
import java.util.Optional;

/**
 * Element types of tensor files, named as safetensors names them. Every type is little-endian on disk;
 * {@link #F16} is IEEE half precision and {@link #BF16} is the upper half of a float32.
 */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The type whose safetensors name is {@code name} (case-sensitive, e.g. {@code "BF16"}). */
    public static Optional<DType> forSafetensorsName(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }
}

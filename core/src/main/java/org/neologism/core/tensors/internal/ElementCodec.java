package org.neologism.core.tensors.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.neologism.core.tensors.DType;

/** Decodes and encodes little-endian tensor elements of every {@link DType}. */
public final class ElementCodec {

    private ElementCodec() {
    }

    /** The element at {@code byteIndex} (absolute, little-endian buffer) converted to float. */
    public static float floatAt(ByteBuffer buffer, int byteIndex, DType dtype) {
        return switch (dtype) {
            case F64 -> (float) buffer.getDouble(byteIndex);
            case F32 -> buffer.getFloat(byteIndex);
            case F16 -> HalfPrecision.halfToFloat(buffer.getShort(byteIndex));
            case BF16 -> HalfPrecision.bfloat16ToFloat(buffer.getShort(byteIndex));
            default -> (float) longAt(buffer, byteIndex, dtype);
        };
    }

    /** The element at {@code byteIndex} converted to double (exact for every type but I64 beyond 2^53). */
    public static double doubleAt(ByteBuffer buffer, int byteIndex, DType dtype) {
        return dtype == DType.F64 ? buffer.getDouble(byteIndex)
                : dtype.isFloatingPoint() ? floatAt(buffer, byteIndex, dtype)
                : (double) longAt(buffer, byteIndex, dtype);
    }

    /** The integer element at {@code byteIndex}; U8 is unsigned, BOOL is 0 or 1. */
    public static long longAt(ByteBuffer buffer, int byteIndex, DType dtype) {
        return switch (dtype) {
            case I64 -> buffer.getLong(byteIndex);
            case I32 -> buffer.getInt(byteIndex);
            case I16 -> buffer.getShort(byteIndex);
            case I8 -> buffer.get(byteIndex);
            case U8 -> buffer.get(byteIndex) & 0xff;
            case BOOL -> buffer.get(byteIndex) != 0 ? 1 : 0;
            default -> throw new IllegalArgumentException(dtype + " is not an integer type");
        };
    }

    /** Converts {@code count} elements starting at the buffer's position into {@code target[offset...]}. */
    public static void decodeFloats(ByteBuffer source, DType dtype, float[] target, int offset, int count) {
        ByteBuffer little = source.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.F32) {
            little.asFloatBuffer().get(target, offset, count);
            return;
        }
        int size = dtype.byteSize();
        for (int i = 0; i < count; i++) {
            target[offset + i] = floatAt(little, i * size, dtype);
        }
    }

    public static void decodeDoubles(ByteBuffer source, DType dtype, double[] target, int offset, int count) {
        ByteBuffer little = source.slice().order(ByteOrder.LITTLE_ENDIAN);
        int size = dtype.byteSize();
        for (int i = 0; i < count; i++) {
            target[offset + i] = doubleAt(little, i * size, dtype);
        }
    }

    public static void decodeLongs(ByteBuffer source, DType dtype, long[] target, int offset, int count) {
        ByteBuffer little = source.slice().order(ByteOrder.LITTLE_ENDIAN);
        int size = dtype.byteSize();
        for (int i = 0; i < count; i++) {
            target[offset + i] = longAt(little, i * size, dtype);
        }
    }

    /** Floats encoded as F32, F16, BF16 or F64 little-endian bytes. */
    public static byte[] encodeFloats(float[] values, DType dtype) {
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) {
                    out.putShort(HalfPrecision.floatToHalf(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    out.putShort(HalfPrecision.floatToBfloat16(v));
                }
            }
            case F64 -> {
                for (float v : values) {
                    out.putDouble(v);
                }
            }
            default -> throw new IllegalArgumentException("floats cannot be stored as " + dtype);
        }
        return out.array();
    }

    /** Integers encoded as I64, I32, I16, I8, U8 or BOOL; a value that does not fit is refused. */
    public static byte[] encodeLongs(long[] values, DType dtype) {
        if (dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("integers cannot be stored as " + dtype);
        }
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (dtype) {
                case I64 -> out.putLong(v);
                case I32 -> out.putInt(Math.toIntExact(v));
                case I16 -> out.putShort(narrow(v, Short.MIN_VALUE, Short.MAX_VALUE, dtype));
                case I8 -> out.put((byte) narrow(v, Byte.MIN_VALUE, Byte.MAX_VALUE, dtype));
                case U8 -> out.put((byte) narrow(v, 0, 255, dtype));
                case BOOL -> out.put((byte) narrow(v, 0, 1, dtype));
                default -> throw new IllegalStateException();
            }
        }
        return out.array();
    }

    private static short narrow(long value, long min, long max, DType dtype) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit in " + dtype);
        }
        return (short) value;
    }
}

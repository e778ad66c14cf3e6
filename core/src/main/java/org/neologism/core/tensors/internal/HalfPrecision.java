package org.neologism.core.tensors.internal;

/**
 * IEEE 754 binary16 and bfloat16 conversions (Java 17 has neither). Narrowing rounds to nearest, ties to
 * even, as PyTorch's {@code .half()} and {@code .bfloat16()} do.
 */
public final class HalfPrecision {

    private HalfPrecision() {
    }

    public static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        // rebias the exponent from 15 to 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            int nanPayload = magnitude > 0x7f800000 ? 0x200 | ((magnitude >>> 13) & 0x3ff) : 0;
            return (short) (sign | 0x7c00 | nanPayload);
        }
        if (magnitude >= 0x477ff000) {
            // 65520 and above round past the largest half (65504) to infinity
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) {
            // below 2^-14 the result is subnormal: a multiple of 2^-24; the scaling is exact, rint ties to even
            int units = (int) Math.rint(Float.intBitsToFloat(magnitude) * 0x1p24);
            return (short) (sign | units);
        }
        int half = (((magnitude >>> 23) - 112) << 10) | ((magnitude & 0x7fffff) >>> 13);
        int dropped = magnitude & 0x1fff;
        if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is the correct rounding
        }
        return (short) (sign | half);
    }

    public static float bfloat16ToFloat(short bfloat) {
        return Float.intBitsToFloat((bfloat & 0xffff) << 16);
    }

    public static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40); // keep NaN quiet
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}

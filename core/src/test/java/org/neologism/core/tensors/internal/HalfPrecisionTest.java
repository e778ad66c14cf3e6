package org.neologism.core.tensors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

    @Test
    void everyHalfValueSurvivesWideningAndNarrowing() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float wide = HalfPrecision.halfToFloat((short) bits);
            short back = HalfPrecision.floatToHalf(wide);
            if (Float.isNaN(wide)) {
                assertTrue(Float.isNaN(HalfPrecision.halfToFloat(back)), Integer.toHexString(bits));
            } else {
                assertEquals(bits, back & 0xffff, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void narrowingToHalfRoundsToNearestEven() {
        assertEquals(0x7bff, HalfPrecision.floatToHalf(65504f) & 0xffff);
        assertEquals(0x7bff, HalfPrecision.floatToHalf(65519.99f) & 0xffff);
        assertEquals(0x7c00, HalfPrecision.floatToHalf(65520f) & 0xffff);
        assertEquals(0x0001, HalfPrecision.floatToHalf(0x1p-24f) & 0xffff);
        assertEquals(0x0000, HalfPrecision.floatToHalf(0x1p-25f) & 0xffff, "tie rounds to even zero");
        assertEquals(0x0002, HalfPrecision.floatToHalf(3 * 0x1p-25f) & 0xffff, "tie rounds to even 2");
        assertEquals(0x3c00, HalfPrecision.floatToHalf(1 + 0x1p-11f) & 0xffff, "tie rounds down to even");
        assertEquals(0x3c02, HalfPrecision.floatToHalf(1 + 3 * 0x1p-11f) & 0xffff, "tie rounds up to even");
        assertEquals(0x3c01, HalfPrecision.floatToHalf(1 + 0x1p-11f + 0x1p-20f) & 0xffff, "above the tie");
        assertEquals(0x8000, HalfPrecision.floatToHalf(-0f) & 0xffff);
        assertEquals(0x0400, HalfPrecision.floatToHalf(0x1p-14f) & 0xffff, "smallest normal");
        assertEquals(0x0400, HalfPrecision.floatToHalf(0x1p-14f - 0x1p-26f) & 0xffff, "rounds up into the normals");
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloatRoundedToNearestEven() {
        assertEquals(1f, HalfPrecision.bfloat16ToFloat((short) 0x3f80));
        assertEquals((short) 0x3f80, HalfPrecision.floatToBfloat16(1f + 0x1p-8f), "tie to even stays");
        assertEquals((short) 0x3f82, HalfPrecision.floatToBfloat16(1f + 3 * 0x1p-8f), "tie to even rounds up");
        assertEquals((short) 0x3f81, HalfPrecision.floatToBfloat16(1f + 0x1p-8f + 0x1p-20f));
        assertTrue(Float.isNaN(HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(Float.NaN))));
        assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(Float.MAX_VALUE)));
    }
}

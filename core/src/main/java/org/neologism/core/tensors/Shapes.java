package org.neologism.core.tensors;

/** Arithmetic on tensor shapes, shared by every tensor description of this package. */
final class Shapes {

    private Shapes() {}

    /** The shape as ints, for the Java arrays the rest of Neologism uses. */
    static int[] toInts(long[] shape) {
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return dims;
    }

    /**
     * The product of the dimensions (1 for a scalar).
     *
     * @throws ArithmeticException if it overflows 64 bits
     */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }
}

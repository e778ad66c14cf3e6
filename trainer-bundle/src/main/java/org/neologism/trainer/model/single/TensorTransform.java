package org.neologism.trainer.model.single;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How a stored tensor becomes a diffusers tensor, as diffusers' single-file conversion does it: a copy, a
 * reshape (the VAE's attention stored as 1×1 convolutions), a block of rows (OpenCLIP's fused q/k/v
 * {@code in_proj}), or a transpose (OpenCLIP's {@code text_projection} is stored [width, projection]).
 */
public sealed interface TensorTransform {

    /** The name diffusers' probe recorded: copy, reshape, rows or transpose. */
    String op();

    /** The diffusers shape made from a stored tensor of shape {@code from}. */
    long[] targetShape(long[] from);

    /** The diffusers tensor's bytes from the stored tensor's little-endian bytes of {@code elementSize}. */
    ByteBuffer apply(ByteBuffer stored, long[] from, int elementSize);

    record Copy() implements TensorTransform {
        public String op() {
            return "copy";
        }

        public long[] targetShape(long[] from) {
            return from.clone();
        }

        public ByteBuffer apply(ByteBuffer stored, long[] from, int elementSize) {
            return stored;
        }
    }

    /** [C, C, 1, 1] → [C, C]: same bytes. */
    record Reshape() implements TensorTransform {
        public String op() {
            return "reshape";
        }

        public long[] targetShape(long[] from) {
            int rank = from.length;
            while (rank > 2 && from[rank - 1] == 1) {
                rank--;
            }
            return Arrays.copyOf(from, rank);
        }

        public ByteBuffer apply(ByteBuffer stored, long[] from, int elementSize) {
            return stored;
        }
    }

    /** Rows {@code start} (inclusive) to {@code stop} (exclusive) of the first dimension. */
    record Rows(long start, long stop) implements TensorTransform {
        public String op() {
            return "rows";
        }

        public long[] targetShape(long[] from) {
            long[] shape = from.clone();
            shape[0] = stop - start;
            return shape;
        }

        public ByteBuffer apply(ByteBuffer stored, long[] from, int elementSize) {
            long rowBytes = elementSize;
            for (int i = 1; i < from.length; i++) {
                rowBytes *= from[i];
            }
            ByteBuffer view = stored.duplicate();
            view.position(Math.toIntExact(start * rowBytes)).limit(Math.toIntExact(stop * rowBytes));
            return view.slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** A 2-D transpose. */
    record Transpose() implements TensorTransform {
        public String op() {
            return "transpose";
        }

        public long[] targetShape(long[] from) {
            return new long[] {from[1], from[0]};
        }

        public ByteBuffer apply(ByteBuffer stored, long[] from, int elementSize) {
            int rows = Math.toIntExact(from[0]);
            int columns = Math.toIntExact(from[1]);
            ByteBuffer out = ByteBuffer.allocate(rows * columns * elementSize).order(ByteOrder.LITTLE_ENDIAN);
            int base = stored.position();
            for (int c = 0; c < columns; c++) {
                for (int r = 0; r < rows; r++) {
                    int at = base + (r * columns + c) * elementSize;
                    for (int b = 0; b < elementSize; b++) {
                        out.put(stored.get(at + b));
                    }
                }
            }
            return out.flip();
        }
    }
}

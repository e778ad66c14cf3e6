package org.neologism.trainer.training;

import java.util.ArrayList;
import java.util.List;

/**
 * The layout of the trainable vectors: one row per vector, holding each text encoder's slice side by side
 * ({@code [d]} for SD 1.x/2.x, {@code [d1 | d2]} for SDXL). AdamW is elementwise, so one optimizer over these
 * rows is diffusers' one AdamW over both token-embedding matrices.
 *
 * @param widths the token width of each text encoder, in pipeline order
 */
public record VectorRows(int[] widths) {

    public VectorRows {
        widths = widths.clone();
    }

    public int rowWidth() {
        int sum = 0;
        for (int w : widths) {
            sum += w;
        }
        return sum;
    }

    /** Rows [n, Σd] from each encoder's block [n, d_e] (row-major), in encoder order. */
    public float[] join(List<float[]> blocks) {
        int rows = blocks.get(0).length / widths[0];
        int rowWidth = rowWidth();
        float[] joined = new float[rows * rowWidth];
        int offset = 0;
        for (int e = 0; e < widths.length; e++) {
            if (blocks.get(e).length != rows * widths[e]) {
                throw new IllegalArgumentException("encoder " + e + " has " + blocks.get(e).length + " values, expected "
                        + rows + " × " + widths[e]);
            }
            for (int r = 0; r < rows; r++) {
                System.arraycopy(blocks.get(e), r * widths[e], joined, r * rowWidth + offset, widths[e]);
            }
            offset += widths[e];
        }
        return joined;
    }

    /** Each encoder's block [n, d_e] of rows [n, Σd]. */
    public List<float[]> split(float[] joined) {
        int rowWidth = rowWidth();
        int rows = joined.length / rowWidth;
        List<float[]> blocks = new ArrayList<>();
        int offset = 0;
        for (int width : widths) {
            float[] block = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(joined, r * rowWidth + offset, block, r * width, width);
            }
            blocks.add(block);
            offset += width;
        }
        return blocks;
    }
}

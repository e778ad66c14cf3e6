package org.neologism.schedulers.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A curve drawn with characters: one column per group of steps, filled from the group's smallest to
 * its largest multiplier, so jumps (restarts, piecewise drops) stay visible at any width.
 */
final class AsciiPlot {

    private AsciiPlot() {}

    static List<String> lines(ScheduleCurve curve, int width, int height) {
        double[] values = curve.multipliers();
        int columns = Math.min(width, values.length);
        double top = curve.maximum() > 0 ? curve.maximum() : 1.0;
        char[][] grid = new char[height][columns];
        for (char[] row : grid) {
            Arrays.fill(row, ' ');
        }
        for (int column = 0; column < columns; column++) {
            int from = (int) ((long) column * values.length / columns);
            int to = (int) ((long) (column + 1) * values.length / columns);
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (int step = from; step < Math.max(to, from + 1); step++) {
                low = Math.min(low, values[step]);
                high = Math.max(high, values[step]);
            }
            for (int row = rowOf(high, top, height); row <= rowOf(low, top, height); row++) {
                grid[row][column] = '*';
            }
        }
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < height; row++) {
            String label = row == 0 ? format(top) : row == height - 1 ? format(0) : row == (height - 1) / 2
                    ? format(top * (height - 1 - row) / (height - 1)) : "";
            lines.add(String.format("%8s |%s", label, new String(grid[row])));
        }
        lines.add(String.format("%8s +%s", "", "-".repeat(columns)));
        String first = "0";
        String last = Integer.toString(values.length - 1);
        int gap = Math.max(1, columns - first.length() - last.length());
        lines.add(String.format("%8s  %s%s%s   step", "", first, " ".repeat(gap), last));
        return lines;
    }

    /** Row 0 is the top value, row {@code height - 1} is zero. */
    private static int rowOf(double value, double top, int height) {
        int row = (int) Math.round((1.0 - value / top) * (height - 1));
        return Math.max(0, Math.min(height - 1, row));
    }

    private static String format(double value) {
        return String.format("%.3g", value);
    }
}

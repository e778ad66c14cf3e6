package org.neologism.schedulers.shell;

import java.util.ArrayList;
import java.util.List;

/** The step, multiplier and learning rate of a curve: every step, or about {@code rows} evenly spaced. */
final class CurveTable {

    private CurveTable() {}

    static List<String> lines(ScheduleCurve curve, int rows) {
        int steps = curve.multipliers().length;
        int stride = Math.max(1, (int) Math.ceil(steps / (double) rows));
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%8s  %-22s  %s", "step", "multiplier", "learning rate"));
        for (int step = 0; step < steps; step += stride) {
            lines.add(row(curve, step));
        }
        if ((steps - 1) % stride != 0) {
            lines.add(row(curve, steps - 1));
        }
        return lines;
    }

    private static String row(ScheduleCurve curve, int step) {
        // Shortest text that reads back as the same double, so printed values can be compared exactly.
        return String.format("%8d  %-22s  %s", step, Double.toString(curve.multipliers()[step]),
                Double.toString(curve.learningRate(step)));
    }
}

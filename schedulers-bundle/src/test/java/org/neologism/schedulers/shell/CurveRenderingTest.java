package org.neologism.schedulers.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.plot.LineChart;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.schedulers.CosineWithRestartsSchedule;
import org.neologism.schedulers.LinearSchedule;

/** The table, the ASCII plot and the PNG of a schedule. */
class CurveRenderingTest {

    private final ScheduleCurve restarts = ScheduleCurve.evaluate(new CosineWithRestartsSchedule(),
            new ScheduleSettings(10, 100, 5e-4, Map.of("num_cycles", "3")));

    @Test
    void aCurveCoversTheStepsOfTheRun() {
        assertEquals(100, restarts.multipliers().length);
        assertEquals(1.0, restarts.multipliers()[10]);
        assertEquals(1.0, restarts.multipliers()[40]);
        assertEquals(5e-4, restarts.learningRate(70));
        assertEquals("cosine_with_restarts  T=100 W=10 lr=5.0E-4 num_cycles=3", restarts.title());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ScheduleCurve.evaluate(new LinearSchedule(), new ScheduleSettings(0, 0, 1e-4))).getMessage()
                .startsWith("--steps must be between 1 and"));
    }

    @Test
    void theTableSamplesAboutTwentyRowsAndAlwaysShowsTheLastStep() {
        List<String> table = CurveTable.lines(restarts, 20);
        // Header, steps 0, 5, ..., 95, then the last step 99.
        assertEquals(1 + 20 + 1, table.size());
        assertTrue(table.get(1).matches(" +0 +0\\.0 +0\\.0"), table.get(1));
        assertTrue(table.get(20).trim().startsWith("95 "), table.get(20));
        assertTrue(table.get(21).trim().startsWith("99 "), table.get(21));
        List<String> every = CurveTable.lines(restarts, Integer.MAX_VALUE);
        assertEquals(101, every.size());
        assertTrue(every.get(100).trim().startsWith("99 "));
        assertEquals(1 + 8, CurveTable.lines(ScheduleCurve.evaluate(new LinearSchedule(), new ScheduleSettings(0, 8, 1)), 20).size());
    }

    @Test
    void theAsciiPlotShowsTheRestartsAsFullHeightColumns() {
        List<String> plot = AsciiPlot.lines(restarts, 100, 10);
        assertEquals(12, plot.size());
        // Each restart (steps 10, 40, 70) reaches the top row; the warmup starts at the bottom.
        String top = plot.get(0).substring(plot.get(0).indexOf('|') + 1);
        String bottom = plot.get(9).substring(plot.get(9).indexOf('|') + 1);
        for (int step : new int[] {10, 40, 70}) {
            assertEquals('*', top.charAt(step), "top row at step " + step);
        }
        assertEquals('*', bottom.charAt(0));
        assertEquals(' ', top.charAt(0));
        assertTrue(plot.get(0).startsWith("    1.00 |"));
        assertTrue(plot.get(9).startsWith("    0.00 |"));
        assertTrue(plot.get(11).trim().startsWith("0") && plot.get(11).trim().endsWith("99   step"), plot.get(11));
    }

    @Test
    void aNarrowPlotKeepsTheJumpsOfEachGroupOfSteps() {
        List<String> plot = AsciiPlot.lines(restarts, 25, 10);
        String row = plot.get(5).substring(plot.get(5).indexOf('|') + 1);
        assertEquals(25, row.length());
        // Column 17 of 25 holds steps 68..71: the end of the second cycle (near 0) and the restart at
        // 70 (1.0), so it is filled from bottom to top.
        for (int line = 0; line < 10; line++) {
            assertEquals('*', plot.get(line).substring(plot.get(line).indexOf('|') + 1).charAt(17), "row " + line);
        }
    }

    @Test
    void thePngShowsTheCurve(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("restarts.png");
        new LineChart(restarts.title(), "learning rate", restarts.learningRates()).write(file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(LineChart.WIDTH, image.getWidth());
        assertEquals(LineChart.HEIGHT, image.getHeight());
        long curve = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (LineChart.CURVE.getRGB() & 0xffffff)) {
                    curve++;
                }
            }
        }
        assertTrue(curve > 1000, "curve pixels " + curve);
        assertTrue(assertThrows(java.io.IOException.class, () -> new LineChart(restarts.title(), "learning rate", restarts.learningRates()).write(folder.resolve("missing/x.png")))
                .getMessage().contains("does not exist"));
        assertTrue(Files.size(file) > 0);
    }
}

package org.neologism.core.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * One curve over steps as a PNG chart, drawn with java.awt on an off-screen image (headless).
 *
 * @param title  drawn above the plot
 * @param yLabel what the values are, e.g. "learning rate" or "loss"
 * @param values the value at step 0, 1, 2, …
 */
public record LineChart(String title, String yLabel, double[] values) {

    public static final int WIDTH = 800;
    public static final int HEIGHT = 450;
    public static final Color CURVE = new Color(0x1f, 0x77, 0xb4);
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    public LineChart {
        values = values.clone();
    }

    /** Writes the chart to {@code file} atomically. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("Cannot write " + file + ": folder " + parent + " does not exist");
        }
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        if (!ImageIO.write(render(), "png", partial.toFile())) {
            throw new IOException("No PNG writer available to write " + file);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public BufferedImage render() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            double bottom = Math.min(0, minimum());
            double top = maximum() > bottom ? maximum() : bottom + 1;
            int steps = values.length;

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int tick = 0; tick <= 4; tick++) {
                int y = TOP + plotHeight - tick * plotHeight / 4;
                g.setColor(new Color(0xe0, 0xe0, 0xe0));
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
                g.setColor(Color.DARK_GRAY);
                String label = String.format("%.3g", bottom + (top - bottom) * tick / 4);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
            }
            for (int tick = 0; tick <= 4; tick++) {
                int x = LEFT + tick * plotWidth / 4;
                String label = Long.toString(Math.round((steps - 1) * tick / 4.0));
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + plotHeight + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            g.drawString("step", LEFT + plotWidth / 2 - 12, HEIGHT - 12);
            g.drawString(yLabel, 8, TOP - 8);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 18);

            Path2D.Double line = new Path2D.Double();
            for (int step = 0; step < steps; step++) {
                double x = LEFT + (steps == 1 ? 0 : (double) step * plotWidth / (steps - 1));
                double y = TOP + plotHeight * (1.0 - (values[step] - bottom) / (top - bottom));
                if (step == 0) {
                    line.moveTo(x, y);
                } else {
                    line.lineTo(x, y);
                }
            }
            g.setColor(CURVE);
            g.setStroke(new BasicStroke(2f));
            g.draw(line);
        } finally {
            g.dispose();
        }
        return image;
    }

    private double maximum() {
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            if (Double.isFinite(value)) {
                max = Math.max(max, value);
            }
        }
        return max == Double.NEGATIVE_INFINITY ? 1 : max;
    }

    private double minimum() {
        double min = Double.POSITIVE_INFINITY;
        for (double value : values) {
            if (Double.isFinite(value)) {
                min = Math.min(min, value);
            }
        }
        return min == Double.POSITIVE_INFINITY ? 0 : min;
    }
}

package org.neologism.trainer.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Training images the demo draws itself, so a fresh clone trains without downloading anything: the
 * same small "toy" (a red body with a yellow head) on varied backgrounds, sizes and positions.
 */
public final class DemoImages {

    private DemoImages() {}

    /** Writes {@code count} PNGs of {@code side} pixels into {@code folder} unless it already holds images. */
    public static void writeIfMissing(Path folder, int count, int side) throws IOException {
        Files.createDirectories(folder);
        try (var existing = Files.list(folder)) {
            if (existing.anyMatch(file -> file.toString().endsWith(".png"))) {
                return;
            }
        }
        Random random = new Random(2026);
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(Color.getHSBColor(random.nextFloat(), 0.25f, 0.9f));
                g.fillRect(0, 0, side, side);
                int body = side / 3 + random.nextInt(side / 6);
                int x = random.nextInt(side - body);
                int y = side / 3 + random.nextInt(side - body - side / 3 + 1);
                g.setColor(new Color(200, 30, 40));
                g.fillRoundRect(x, y, body, body * 2 / 3, body / 4, body / 4);
                g.setColor(new Color(240, 200, 40));
                g.fillOval(x + body / 4, y - body / 2, body / 2, body / 2);
            } finally {
                g.dispose();
            }
            Path file = folder.resolve("toy-" + i + ".png");
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IOException("No PNG writer available to write " + file);
            }
        }
    }
}

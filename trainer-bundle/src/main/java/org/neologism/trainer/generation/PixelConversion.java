package org.neologism.trainer.generation;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The pipelines' post-processing in float32: np = clamp(x/2 + 0.5, 0, 1) in HWC order, then
 * {@code (np·255).round().astype(uint8)} (numpy rounds half to even), as {@code output_type="pil"} does.
 */
public final class PixelConversion {

    private PixelConversion() {}

    /** [3, H, W] decoded pixels (about [−1, 1]) to clamped [H, W, 3] floats in [0, 1]. */
    public static float[] toUnitHwc(float[] chw, int height, int width) {
        float[] out = new float[chw.length];
        int plane = height * width;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = chw[c * plane + p] / 2f + 0.5f;
                out[p * 3 + c] = Math.min(1f, Math.max(0f, v));
            }
        }
        return out;
    }

    /** [H, W, 3] values in [0, 1] to 8-bit values, (v·255) in float32 rounded half to even. */
    public static int[] toUint8(float[] unitHwc) {
        int[] out = new int[unitHwc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Math.rint(unitHwc[i] * 255f);
        }
        return out;
    }

    public static BufferedImage toImage(int[] rgbHwc, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = (y * width + x) * 3;
                image.setRGB(x, y, rgbHwc[p] << 16 | rgbHwc[p + 1] << 8 | rgbHwc[p + 2]);
            }
        }
        return image;
    }

    /** Writes {@code image} as PNG through a temporary file, so a reader never sees half an image. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temporary = Files.createTempFile(folder, ".writing-", ".png");
        try {
            if (!ImageIO.write(image, "png", temporary.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The images side by side in a grid of {@code columns} columns (diffusers' {@code make_image_grid}). */
    public static BufferedImage grid(java.util.List<BufferedImage> images, int columns) {
        int rows = (images.size() + columns - 1) / columns;
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        BufferedImage grid = new BufferedImage(columns * w, rows * h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = grid.createGraphics();
        try {
            for (int i = 0; i < images.size(); i++) {
                g.drawImage(images.get(i), (i % columns) * w, (i / columns) * h, null);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}

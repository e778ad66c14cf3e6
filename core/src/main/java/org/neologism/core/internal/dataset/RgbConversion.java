package org.neologism.core.internal.dataset;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image as 8-bit RGB, the way PIL's {@code convert("RGB")} makes it: the stored samples are
 * used as they are (no colour management, no gamma), alpha is dropped (not composited), grey is copied
 * into the three channels and palette indices are looked up.
 *
 * <p>Samples narrower than 8 bits are stretched to 0..255 as PIL unpacks them (2-bit grey × 85, 4-bit
 * × 17); wider ones keep their top 8 bits, as PIL does for 16-bit RGB. (PIL 9 clips 16-bit grey to white
 * instead; keeping the top bits is what the picture shows.) Anything else — CMYK, YCCK, premultiplied or
 * floating-point rasters — goes through Java2D's conversion to sRGB.
 */
final class RgbConversion {

    private RgbConversion() {}

    static RgbImage toRgb(BufferedImage image) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        if (model instanceof IndexColorModel palette) {
            return fromPalette(palette, raster);
        }
        int colourType = model.getColorSpace().getType();
        boolean integerSamples = raster.getTransferType() == DataBuffer.TYPE_BYTE
                || raster.getTransferType() == DataBuffer.TYPE_USHORT
                || raster.getTransferType() == DataBuffer.TYPE_INT;
        if (integerSamples && !model.isAlphaPremultiplied()
                && (colourType == ColorSpace.TYPE_RGB || colourType == ColorSpace.TYPE_GRAY)) {
            return fromSamples(model, raster, colourType == ColorSpace.TYPE_GRAY);
        }
        return throughJava2d(image);
    }

    private static RgbImage fromPalette(IndexColorModel palette, Raster raster) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int index = raster.getSample(x, y, 0);
                int offset = 3 * (y * width + x);
                rgb[offset] = (byte) palette.getRed(index);
                rgb[offset + 1] = (byte) palette.getGreen(index);
                rgb[offset + 2] = (byte) palette.getBlue(index);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    private static RgbImage fromSamples(ColorModel model, Raster raster, boolean grey) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        int[] bits = model.getComponentSize();
        int[] row = new int[width * bands];
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int offset = 3 * (y * width + x);
                for (int c = 0; c < 3; c++) {
                    int band = grey ? 0 : c;
                    rgb[offset + c] = (byte) toEightBits(row[x * bands + band], bits[band]);
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    static int toEightBits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    private static RgbImage throughJava2d(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb = image.getRGB(x, y);
                int offset = 3 * (y * width + x);
                rgb[offset] = (byte) (argb >> 16);
                rgb[offset + 1] = (byte) (argb >> 8);
                rgb[offset + 2] = (byte) argb;
            }
        }
        return new RgbImage(width, height, rgb);
    }
}

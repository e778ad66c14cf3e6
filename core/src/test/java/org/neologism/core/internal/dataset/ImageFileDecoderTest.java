package org.neologism.core.internal.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFileDecoderTest {

    private static ImageIoPlugins plugins;
    private final ImageFileDecoder decoder = new ImageFileDecoder();

    @TempDir
    Path folder;

    @BeforeAll
    static void registerPlugins() {
        plugins = new ImageIoPlugins();
    }

    @AfterAll
    static void deregisterPlugins() {
        plugins.close();
    }

    @Test
    void aPngWithAlphaKeepsItsColoursAndLosesItsAlphaLikePilConvertRgb() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x000C2238); // fully transparent, colour (12, 34, 56)
        image.setRGB(1, 0, 0x80FF7F01); // half transparent, (255, 127, 1)
        RgbImage decoded = decoder.decode(TestImages.write(image, "png", folder.resolve("alpha.png")));
        assertArrayEquals(new byte[] {12, 34, 56, (byte) 255, 127, 1}, decoded.rgb());
    }

    @Test
    void aGreyPngIsCopiedIntoTheThreeChannelsWithoutGammaConversion() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(0, 0, 0, 100);
        image.getRaster().setSample(1, 0, 0, 7);
        RgbImage decoded = decoder.decode(TestImages.write(image, "png", folder.resolve("grey.png")));
        // Java2D's getRGB would turn linear grey 100 into about 170; PIL keeps 100.
        assertArrayEquals(new byte[] {100, 100, 100, 7, 7, 7}, decoded.rgb());
    }

    @Test
    void aSixteenBitGreyPngKeepsItsTopEightBits() throws IOException {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(0, 0, 0, 0xABCD);
        RgbImage decoded = decoder.decode(TestImages.write(image, "png", folder.resolve("grey16.png")));
        assertArrayEquals(new byte[] {(byte) 0xAB, (byte) 0xAB, (byte) 0xAB}, decoded.rgb());
    }

    @Test
    void aPalettePngIsExpandedThroughItsPalette() throws IOException {
        byte[] reds = {0, (byte) 250, 5, 60};
        byte[] greens = {0, 4, (byte) 230, 70};
        byte[] blues = {0, 9, 3, (byte) 180};
        IndexColorModel palette = new IndexColorModel(2, 4, reds, greens, blues);
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        WritableRaster raster = image.getRaster();
        raster.setSample(0, 0, 0, 1);
        raster.setSample(1, 0, 0, 2);
        raster.setSample(2, 0, 0, 3);
        RgbImage decoded = decoder.decode(TestImages.write(image, "png", folder.resolve("palette.png")));
        assertArrayEquals(new byte[] {(byte) 250, 4, 9, 5, (byte) 230, 3, 60, 70, (byte) 180}, decoded.rgb());
    }

    @Test
    void aBmpDecodesExactly() throws IOException {
        BufferedImage image = TestImages.gradient(5, 3, BufferedImage.TYPE_3BYTE_BGR);
        RgbImage decoded = decoder.decode(TestImages.write(image, "bmp", folder.resolve("gradient.bmp")));
        assertEquals(5, decoded.width());
        assertEquals(3, decoded.height());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(x * 16 + y, decoded.sample(x, y, 0));
                assertEquals(255 - x, decoded.sample(x, y, 1));
                assertEquals(y * 8, decoded.sample(x, y, 2));
            }
        }
    }

    @Test
    void aLosslessWebpDecodesExactly() throws IOException {
        Path file = folder.resolve("tiny.webp");
        TestImages.writeBytes(file, TestImages.losslessWebp());
        RgbImage decoded = decoder.decode(file);
        assertEquals(2, decoded.width());
        assertEquals(2, decoded.height());
        assertArrayEquals(new byte[] {10, 20, 30, (byte) 200, 20, (byte) 240, 10, (byte) 220, (byte) 240,
                (byte) 200, (byte) 220, 30}, decoded.rgb());
    }

    @Test
    void exifOrientationSixTurnsAJpegClockwise() throws IOException {
        // 16x8: left half red, right half blue. Orientation 6 = "rotate 90° clockwise to display":
        // upright it is 8x16 with red on top.
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, x < 8 ? 0xFF0000 : 0x0000FF);
            }
        }
        byte[] plain = TestImages.jpeg(image);
        Path stored = folder.resolve("stored.jpg");
        TestImages.writeBytes(stored, plain);
        Path rotated = folder.resolve("rotated.jpg");
        TestImages.writeBytes(rotated, TestImages.withExifOrientation(plain, 6));

        RgbImage asStored = decoder.decode(stored);
        assertEquals(16, asStored.width());
        assertEquals(8, asStored.height());

        RgbImage upright = decoder.decode(rotated);
        assertEquals(8, upright.width());
        assertEquals(16, upright.height());
        assertRed(upright, 4, 3);
        assertBlue(upright, 4, 12);
        // Exactly the stored pixels, turned.
        assertArrayEquals(ExifOrientation.ROTATED_90_CLOCKWISE.apply(asStored).rgb(), upright.rgb());
    }

    @Test
    void eachExifOrientationTurnsLikePilExifTranspose() {
        // a b c / d e f, one grey level per pixel.
        RgbImage image = grey(3, 2, 'a', 'b', 'c', 'd', 'e', 'f');
        assertArrayEquals(grey(3, 2, 'a', 'b', 'c', 'd', 'e', 'f').rgb(), ExifOrientation.of(1).apply(image).rgb());
        assertTurned(ExifOrientation.of(2).apply(image), 3, "cbafed");
        assertTurned(ExifOrientation.of(3).apply(image), 3, "fedcba");
        assertTurned(ExifOrientation.of(4).apply(image), 3, "defabc");
        assertTurned(ExifOrientation.of(5).apply(image), 2, "adbecf");
        assertTurned(ExifOrientation.of(6).apply(image), 2, "daebfc");
        assertTurned(ExifOrientation.of(7).apply(image), 2, "fcebda");
        assertTurned(ExifOrientation.of(8).apply(image), 2, "cfbead");
        assertTurned(ExifOrientation.of(0).apply(image), 3, "abcdef");
    }

    @Test
    void garbageWithAnImageExtensionIsNamedInTheError() throws IOException {
        Path file = folder.resolve("not-really.png");
        Files.writeString(file, "this is text, not a picture");
        IOException error = assertThrows(IOException.class, () -> decoder.decode(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("--train_data_dir"), error.getMessage());
    }

    @Test
    void aTruncatedPngIsNamedInTheError() throws IOException {
        byte[] whole = Files.readAllBytes(TestImages.write(TestImages.gradient(16, 16, BufferedImage.TYPE_INT_RGB),
                "png", folder.resolve("whole.png")));
        Path file = folder.resolve("cut.png");
        TestImages.writeBytes(file, Arrays.copyOf(whole, whole.length / 2));
        IOException error = assertThrows(IOException.class, () -> decoder.decode(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void aJpegCutInItsHeaderIsNamedInTheError() throws IOException {
        byte[] whole = TestImages.jpeg(TestImages.gradient(16, 16, BufferedImage.TYPE_3BYTE_BGR));
        Path file = folder.resolve("cut.jpg");
        TestImages.writeBytes(file, Arrays.copyOf(whole, 300));
        IOException error = assertThrows(IOException.class, () -> decoder.decode(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void aJpegCutInItsScanIsRefusedRatherThanPaddedWithGrey() throws IOException {
        // The decoders only warn about a missing end of data and return the image half grey.
        byte[] whole = TestImages.jpeg(TestImages.gradient(64, 64, BufferedImage.TYPE_3BYTE_BGR));
        Path file = folder.resolve("cut-scan.jpg");
        TestImages.writeBytes(file, Arrays.copyOf(whole, whole.length * 9 / 10));
        IOException error = assertThrows(IOException.class, () -> decoder.decode(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("damaged"), error.getMessage());
    }

    private static RgbImage grey(int width, int height, char... levels) {
        byte[] rgb = new byte[3 * levels.length];
        for (int i = 0; i < levels.length; i++) {
            Arrays.fill(rgb, 3 * i, 3 * i + 3, (byte) levels[i]);
        }
        return new RgbImage(width, height, rgb);
    }

    private static void assertTurned(RgbImage turned, int width, String levels) {
        assertEquals(width, turned.width());
        assertArrayEquals(grey(width, levels.length() / width, levels.toCharArray()).rgb(), turned.rgb());
    }

    private static void assertRed(RgbImage image, int x, int y) {
        assertTrue(image.sample(x, y, 0) > 200 && image.sample(x, y, 2) < 60, "red at " + x + "," + y);
    }

    private static void assertBlue(RgbImage image, int x, int y) {
        assertTrue(image.sample(x, y, 2) > 200 && image.sample(x, y, 0) < 60, "blue at " + x + "," + y);
    }
}

package org.neologism.core.internal.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.dataset.DatasetOptions;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;

class FolderDatasetLoaderTest {

    private final FolderDatasetLoader loader = new FolderDatasetLoader();

    @TempDir
    Path folder;

    @AfterEach
    void deactivate() {
        loader.deactivate();
    }

    @Test
    void readsEveryImageFormatInFileNameOrderAndListsWhatItSkipped() throws IOException {
        BufferedImage picture = TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        TestImages.write(picture, "png", folder.resolve("b.png"));
        TestImages.write(picture, "bmp", folder.resolve("a.BMP"));
        TestImages.writeBytes(folder.resolve("c.jpeg"), TestImages.jpeg(picture));
        TestImages.writeBytes(folder.resolve("d.JPG"), TestImages.jpeg(picture));
        TestImages.writeBytes(folder.resolve("e.webp"), TestImages.losslessWebp());
        TestImages.write(picture, "gif", folder.resolve("f.gif"));
        Files.writeString(folder.resolve("notes.md"), "my cat");
        Files.writeString(folder.resolve("orphan.txt"), "a caption without its image");
        Files.createDirectory(folder.resolve("more"));

        TrainingDataset dataset = loader.load(new DatasetOptions(folder, 8, false));

        assertEquals(List.of("a.BMP", "b.png", "c.jpeg", "d.JPG", "e.webp", "f.gif"),
                dataset.images().stream().map(image -> image.source().getFileName().toString()).toList());
        assertEquals(List.of("more", "notes.md", "orphan.txt"),
                dataset.skipped().stream().map(path -> path.getFileName().toString()).toList());
        String warning = dataset.skippedWarning().orElseThrow();
        for (String name : List.of("more", "notes.md", "orphan.txt")) {
            assertTrue(warning.contains(name), warning);
        }
        for (TrainingImage image : dataset.images()) {
            assertEquals(8, image.resolution());
            assertEquals(3 * 8 * 8, image.pixels().length);
        }
    }

    @Test
    void anImageAlreadyAtTheResolutionKeepsItsExactPixelsScaledToPlusMinusOne() throws IOException {
        BufferedImage picture = TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        TestImages.write(picture, "png", folder.resolve("exact.png"));
        float[] pixels = loader.load(new DatasetOptions(folder, 8, false)).images().get(0).pixels();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int rgb = picture.getRGB(x, y);
                assertEquals((float) (((rgb >> 16) & 0xFF) / 127.5 - 1.0), pixels[y * 8 + x]);
                assertEquals((float) (((rgb >> 8) & 0xFF) / 127.5 - 1.0), pixels[64 + y * 8 + x]);
                assertEquals((float) ((rgb & 0xFF) / 127.5 - 1.0), pixels[128 + y * 8 + x]);
            }
        }
    }

    @Test
    void centerCropTakesTheMiddleSquareOfTheShortSide() throws IOException {
        // 24x8: a red square, a green square, a blue square. The centre crop is the green one.
        BufferedImage picture = new BufferedImage(24, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 24; x++) {
                picture.setRGB(x, y, x < 8 ? 0xFF0000 : x < 16 ? 0x00FF00 : 0x0000FF);
            }
        }
        TestImages.write(picture, "png", folder.resolve("three.png"));
        float[] cropped = loader.load(new DatasetOptions(folder, 8, true)).images().get(0).pixels();
        for (int i = 0; i < 64; i++) {
            assertEquals(-1.0f, cropped[i]);
            assertEquals(1.0f, cropped[64 + i]);
            assertEquals(-1.0f, cropped[128 + i]);
        }
    }

    @Test
    void anExifRotatedJpegIsTurnedUprightBeforeCropping() throws IOException {
        // Stored 32x16, left half red, right half blue; orientation 6 makes it 16x32 with red on top.
        // The centre crop of the upright image straddles both halves; of the stored one it would not.
        BufferedImage picture = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                picture.setRGB(x, y, x < 16 ? 0xFF0000 : 0x0000FF);
            }
        }
        TestImages.writeBytes(folder.resolve("phone.jpg"),
                TestImages.withExifOrientation(TestImages.jpeg(picture), 6));
        float[] pixels = loader.load(new DatasetOptions(folder, 16, true)).images().get(0).pixels();
        // Upright, the crop is rows 8..23: its top half red across the whole width, its bottom half blue.
        // Without turning, the crop would be red on the left and blue on the right.
        for (int x : new int[] {1, 14}) {
            assertRgb(pixels, x, 1, true);
            assertRgb(pixels, x, 14, false);
        }
    }

    /** Pixel (x, y) of a 16x16 CHW image is clearly red, or clearly blue. */
    private static void assertRgb(float[] pixels, int x, int y, boolean red) {
        float r = pixels[y * 16 + x];
        float b = pixels[2 * 256 + y * 16 + x];
        assertTrue(red ? r > 0.6f && b < -0.5f : b > 0.6f && r < -0.5f,
                "(" + x + "," + y + ") should be " + (red ? "red" : "blue") + ": r=" + r + " b=" + b);
    }

    @Test
    void captionsGetTheTriggerAndRepeatsMultiplyTheLength() throws IOException {
        BufferedImage picture = TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (String name : List.of("a", "b", "c", "d", "e")) {
            TestImages.write(picture, "png", folder.resolve(name + ".png"));
        }
        Files.writeString(folder.resolve("a.txt"), "a photo of {} on a rug\n");
        Files.writeString(folder.resolve("b.txt"), "[name] sleeping, [name] dreaming");
        Files.writeString(folder.resolve("c.txt"), "a cat on a sofa");
        Files.writeString(folder.resolve("d.txt"), "  \n");
        TrainingDataset dataset = loader.load(new DatasetOptions(folder, 8, false, 3, "<cat-toy>"));

        assertEquals(List.of(Optional.of("a photo of <cat-toy> on a rug"),
                Optional.of("<cat-toy> sleeping, <cat-toy> dreaming"), Optional.of("<cat-toy>, a cat on a sofa"),
                Optional.empty(), Optional.empty()),
                dataset.images().stream().map(TrainingImage::caption).toList());
        assertEquals(List.of(), dataset.skipped());
        assertEquals(15, dataset.length());
        assertEquals(3, dataset.repeats());
        assertSame(dataset.images().get(1), dataset.sample(6));
        assertSame(dataset.images().get(4), dataset.sample(14));
        assertThrows(IndexOutOfBoundsException.class, () -> dataset.sample(15));
    }

    @Test
    void aCaptionWithoutAKnownTriggerIsRefusedNamingTheFileAndTheFlag() throws IOException {
        TestImages.write(TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR), "png", folder.resolve("a.png"));
        Files.writeString(folder.resolve("a.txt"), "a photo of {}");
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(folder, 8, false)));
        assertTrue(error.getMessage().contains(folder.resolve("a.txt").toString()), error.getMessage());
        assertTrue(error.getMessage().contains("--placeholder_token"), error.getMessage());
    }

    @Test
    void aCorruptImageStopsTheLoadNamingIt() throws IOException {
        TestImages.write(TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR), "png", folder.resolve("a.png"));
        Files.write(folder.resolve("b.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x01, 0x02});
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(folder, 8, false)));
        assertTrue(error.getMessage().contains(folder.resolve("b.jpg").toString()), error.getMessage());
    }

    /** PIL opens an animated GIF at its first frame and reads TIFF; so does the loader. */
    @Test
    void anAnimatedGifTrainsOnItsFirstFrameAndATiffIsRead() throws IOException {
        BufferedImage first = solid(8, 8, 0xFF2040);
        BufferedImage second = solid(8, 8, 0x10E030);
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(
                folder.resolve("animated.gif").toFile())) {
            javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("gif").next();
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new javax.imageio.IIOImage(first, null, null), null);
            writer.writeToSequence(new javax.imageio.IIOImage(second, null, null), null);
            writer.endWriteSequence();
            writer.dispose();
        }
        TestImages.write(TestImages.gradient(8, 8, BufferedImage.TYPE_3BYTE_BGR), "tiff", folder.resolve("scan.tif"));

        TrainingDataset dataset = loader.load(new DatasetOptions(folder, 8, false));

        assertEquals(List.of("animated.gif", "scan.tif"),
                dataset.images().stream().map(image -> image.source().getFileName().toString()).toList());
        float[] gif = dataset.images().get(0).pixels();
        assertEquals((float) (0xFF / 127.5 - 1.0), gif[0], "red of the first frame, not the second's");
        assertEquals((float) (0x20 / 127.5 - 1.0), gif[64]);
        float[] tiff = dataset.images().get(1).pixels();
        assertEquals((float) ((255 - 3) / 127.5 - 1.0), tiff[64 + 3], "green of pixel (3, 0)");
        assertEquals(List.of(), dataset.warnings());
    }

    @Test
    void anImageSmallerThanTheResolutionTrainsWithAWarningNamingIt() throws IOException {
        TestImages.write(solid(1, 1, 0x808080), "png", folder.resolve("tiny.png"));
        TestImages.write(TestImages.gradient(16, 16, BufferedImage.TYPE_3BYTE_BGR), "png", folder.resolve("big.png"));
        TrainingDataset dataset = loader.load(new DatasetOptions(folder, 16, false));
        assertEquals(2, dataset.images().size());
        assertEquals(List.of("The training image " + folder.resolve("tiny.png") + " is 1×1 pixels, smaller than"
                + " --resolution 16: it is enlarged to 16×16 and trains blurred. Use images at least 16 pixels on each"
                + " side, or a lower --resolution."), dataset.warnings());
    }

    @Test
    void anImageFormatThatCannotBeReadIsNamed() throws IOException {
        Files.write(folder.resolve("IMG_0001.HEIC"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'});
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(folder, 8, false)));
        assertTrue(error.getMessage().contains("found only IMG_0001.HEIC (HEIC, which cannot be read: convert it to PNG"
                + " or JPEG)"), error.getMessage());
        TestImages.write(solid(8, 8, 0), "png", folder.resolve("a.png"));
        TrainingDataset dataset = loader.load(new DatasetOptions(folder, 8, false));
        assertTrue(dataset.warnings().contains("Skipped " + folder.resolve("IMG_0001.HEIC") + ": HEIC images cannot be"
                + " read. Convert it to PNG or JPEG to train on it."), dataset.warnings().toString());
    }

    private static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    @Test
    void anEmptyFolderIsRefusedNamingItAndTheFlag() {
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(folder, 8, false)));
        assertTrue(error.getMessage().contains(folder.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("empty"), error.getMessage());
        assertTrue(error.getMessage().contains("--train_data_dir"), error.getMessage());
    }

    @Test
    void aFolderWithoutImagesIsRefusedNamingItAndTheFlag() throws IOException {
        Files.writeString(folder.resolve("readme.txt"), "images go here");
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(folder, 8, false)));
        assertTrue(error.getMessage().contains(folder.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("no image"), error.getMessage());
        assertTrue(error.getMessage().contains("--train_data_dir"), error.getMessage());
    }

    @Test
    void aMissingFolderIsRefusedNamingItAndTheFlag() {
        Path missing = folder.resolve("no-such-folder");
        IOException error = assertThrows(IOException.class, () -> loader.load(new DatasetOptions(missing, 8, false)));
        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("does not exist"), error.getMessage());
        assertTrue(error.getMessage().contains("--train_data_dir"), error.getMessage());
    }
}

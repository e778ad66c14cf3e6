package org.neologism.core.internal.dataset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Image files written by the tests themselves, so no binary fixture is copied into the project. */
final class TestImages {

    private TestImages() {}

    static Path write(BufferedImage image, String format, Path file) throws IOException {
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format + " and " + image);
        }
        return file;
    }

    /** An RGB image whose pixel (x, y) is (x*16+y, 255-x, y*8). */
    static BufferedImage gradient(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, 0xFF000000 | ((x * 16 + y) & 0xFF) << 16 | (255 - x) << 8 | (y * 8) & 0xFF);
            }
        }
        return image;
    }

    /**
     * The JPEG with an APP1 Exif segment holding only IFD0's orientation tag (0x0112, SHORT) inserted
     * after the JFIF APP0 segment: {@code "Exif\0\0"}, a big-endian TIFF header ({@code MM 00 2A}, IFD at
     * offset 8), one IFD entry, no next IFD.
     */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4).order(ByteOrder.BIG_ENDIAN);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exifHeader = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exifHeader.length + tiff.capacity();
        ByteArrayOutputStream app1 = new ByteArrayOutputStream();
        app1.write(0xFF);
        app1.write(0xE1);
        app1.write(length >> 8);
        app1.write(length & 0xFF);
        app1.writeBytes(exifHeader);
        app1.writeBytes(tiff.array());
        // SOI (2 bytes), then APP0 = FF E0 + its length.
        int afterApp0 = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        if ((jpeg[2] & 0xFF) != 0xFF || (jpeg[3] & 0xFF) != 0xE0) {
            throw new IllegalArgumentException("expected a JFIF APP0 segment after SOI");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, afterApp0);
        out.writeBytes(app1.toByteArray());
        out.write(jpeg, afterApp0, jpeg.length - afterApp0);
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "jpeg", out)) {
            throw new IOException("no JPEG writer");
        }
        return out.toByteArray();
    }

    /**
     * A lossless WebP (VP8L) written bit by bit, since no WebP encoder is at hand: 2×2 pixels, no
     * transforms, no colour cache, no meta prefix codes, and five "simple" prefix codes — green, red and
     * blue with two 8-bit symbols each (one bit per pixel and channel, the smaller symbol coded 0),
     * alpha with the single symbol 255 and distance with the single symbol 0 (zero bits each).
     * Pixel i uses bit i>>1 of green, bit i&1 of red and bit (i>>1)^(i&1) of blue:
     * (r,g,b) = (10,20,30) (200,20,240) / (10,220,240) (200,220,30).
     */
    static byte[] losslessWebp() {
        VP8LBits bits = new VP8LBits();
        bits.write(0x2F, 8);          // VP8L signature
        bits.write(2 - 1, 14);        // width - 1
        bits.write(2 - 1, 14);        // height - 1
        bits.write(0, 1);             // alpha_is_used
        bits.write(0, 3);             // version
        bits.write(0, 1);             // no transform
        bits.write(0, 1);             // no colour cache
        bits.write(0, 1);             // no meta prefix codes
        twoSymbols(bits, 20, 220);    // green
        twoSymbols(bits, 10, 200);    // red
        twoSymbols(bits, 30, 240);    // blue
        oneSymbol(bits, 255);         // alpha
        oneSymbol(bits, 0);           // distance
        for (int i = 0; i < 4; i++) {
            bits.write(i >> 1, 1);             // green
            bits.write(i & 1, 1);              // red
            bits.write((i >> 1) ^ (i & 1), 1); // blue; alpha takes no bits
        }
        byte[] payload = bits.toBytes();
        int padded = payload.length + (payload.length & 1);
        ByteBuffer riff = ByteBuffer.allocate(12 + 8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 8 + padded)
                .put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(payload.length).put(payload);
        return riff.array();
    }

    private static void twoSymbols(VP8LBits bits, int first, int second) {
        bits.write(1, 1); // simple code
        bits.write(1, 1); // two symbols
        bits.write(1, 1); // first symbol takes 8 bits
        bits.write(first, 8);
        bits.write(second, 8);
    }

    private static void oneSymbol(VP8LBits bits, int symbol) {
        bits.write(1, 1);
        bits.write(0, 1);
        bits.write(1, 1);
        bits.write(symbol, 8);
    }

    /** VP8L packs values least significant bit first. */
    private static final class VP8LBits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        void write(int value, int count) {
            for (int i = 0; i < count; i++) {
                current |= ((value >> i) & 1) << used;
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
        }

        byte[] toBytes() {
            if (used > 0) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }

    static void writeBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
    }
}

package org.neologism.core.internal.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads one image file into upright 8-bit RGB: the decoder is chosen by the file's content (a JPEG named
 * {@code .png} still reads), the EXIF orientation is applied, and a file that cannot be decoded — or
 * whose data ends early — is an error naming it.
 */
final class ImageFileDecoder {

    /**
     * Decoder warnings that mean pixels are missing (the JPEG decoders then fill the rest with grey, where
     * PIL raises "image file is truncated"). Other warnings, such as libjpeg's "extraneous bytes before
     * marker" on camera files PIL reads fine, are harmless.
     */
    private static final List<String> DAMAGE_WARNINGS = List.of("premature end", "truncated");

    RgbImage decode(Path file) throws IOException {
        BufferedImage decoded = read(file);
        return ExifOrientation.of(file).apply(RgbConversion.toRgb(decoded));
    }

    private static BufferedImage read(Path file) throws IOException {
        try (ImageInputStream input = open(file)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw unreadable(file, "its content is not a PNG, JPEG, WebP, BMP, GIF or TIFF image", null);
            }
            ImageReader reader = readers.next();
            List<String> damage = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                String lower = warning.toLowerCase(Locale.ROOT);
                if (DAMAGE_WARNINGS.stream().anyMatch(lower::contains)) {
                    damage.add(warning);
                }
            });
            BufferedImage image;
            try {
                reader.setInput(input, true, true);
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                // Decoders throw anything on bad data: IIOException, index and argument errors.
                throw unreadable(file, "it is corrupt or truncated (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
            if (!damage.isEmpty()) {
                throw unreadable(file, "its data is damaged (" + String.join("; ", damage) + ")", null);
            }
            return image;
        }
    }

    private static ImageInputStream open(Path file) throws IOException {
        ImageInputStream input;
        try {
            input = ImageIO.createImageInputStream(file.toFile());
        } catch (IOException e) {
            throw unreadable(file, "it cannot be opened (" + e.getMessage() + ")", e);
        }
        if (input == null) {
            throw unreadable(file, "it cannot be opened", null);
        }
        return input;
    }

    private static IOException unreadable(Path file, String reason, Throwable cause) {
        return new IOException("Cannot read the training image " + file + ": " + reason
                + ". Replace or remove it from --train_data_dir.", cause);
    }
}

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
        try (ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
            if (input == null) {
                throw unreadable(file, "it cannot be opened", null);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw unreadable(file, "its content is not a PNG, JPEG, WebP or BMP image", null);
            }
            ImageReader reader = readers.next();
            List<String> damage = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                String lower = warning.toLowerCase(Locale.ROOT);
                if (DAMAGE_WARNINGS.stream().anyMatch(lower::contains)) {
                    damage.add(warning);
                }
            });
            try {
                reader.setInput(input, true, true);
                BufferedImage image = reader.read(0);
                if (!damage.isEmpty()) {
                    throw unreadable(file, "its data is damaged (" + String.join("; ", damage) + ")", null);
                }
                return image;
            } catch (IOException | RuntimeException e) {
                if (e instanceof UnreadableImageException already) {
                    throw already;
                }
                throw unreadable(file, "it is corrupt or truncated (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static UnreadableImageException unreadable(Path file, String reason, Throwable cause) {
        return new UnreadableImageException("Cannot read the training image " + file + ": " + reason
                + ". Replace or remove it from --train_data_dir.", cause);
    }

    /** An image file of the training folder that cannot be decoded. */
    static final class UnreadableImageException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

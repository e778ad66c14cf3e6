package org.neologism.core.internal.dataset;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.MetadataException;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The EXIF orientation tag (0x0112): how a camera's stored pixels must be turned to stand upright.
 * Values 1–8 as in the EXIF specification; the transforms are PIL's {@code ImageOps.exif_transpose}.
 */
enum ExifOrientation {
    UPRIGHT,
    MIRRORED,
    ROTATED_180,
    FLIPPED,
    TRANSPOSED,
    ROTATED_90_CLOCKWISE,
    TRANSVERSED,
    ROTATED_90_COUNTER_CLOCKWISE;

    /** The orientation by its EXIF value; values outside 1–8 mean upright, as PIL ignores them. */
    static ExifOrientation of(int exifValue) {
        return exifValue >= 1 && exifValue <= 8 ? values()[exifValue - 1] : UPRIGHT;
    }

    /**
     * The orientation recorded in the file's EXIF (JPEG APP1, PNG eXIf, WebP EXIF chunk). A file without
     * one, or whose metadata cannot be parsed while its pixels can, is taken as upright.
     */
    static ExifOrientation of(Path file) {
        try {
            for (ExifIFD0Directory directory : ImageMetadataReader.readMetadata(file.toFile())
                    .getDirectoriesOfType(ExifIFD0Directory.class)) {
                if (directory.containsTag(ExifDirectoryBase.TAG_ORIENTATION)) {
                    return of(directory.getInt(ExifDirectoryBase.TAG_ORIENTATION));
                }
            }
        } catch (ImageProcessingException | MetadataException | IOException | RuntimeException e) {
            // Metadata is optional: the decoder reports a file whose pixels are unreadable.
        }
        return UPRIGHT;
    }

    /** Whether the upright image has width and height exchanged. */
    boolean swapsSides() {
        return ordinal() >= TRANSPOSED.ordinal();
    }

    /** The image turned upright. */
    RgbImage apply(RgbImage image) {
        if (this == UPRIGHT) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int outWidth = swapsSides() ? h : w;
        int outHeight = swapsSides() ? w : h;
        byte[] out = new byte[3 * outWidth * outHeight];
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ox = 0; ox < outWidth; ox++) {
                int sx;
                int sy;
                switch (this) {
                    case MIRRORED -> { sx = w - 1 - ox; sy = oy; }
                    case ROTATED_180 -> { sx = w - 1 - ox; sy = h - 1 - oy; }
                    case FLIPPED -> { sx = ox; sy = h - 1 - oy; }
                    case TRANSPOSED -> { sx = oy; sy = ox; }
                    case ROTATED_90_CLOCKWISE -> { sx = oy; sy = h - 1 - ox; }
                    case TRANSVERSED -> { sx = w - 1 - oy; sy = h - 1 - ox; }
                    case ROTATED_90_COUNTER_CLOCKWISE -> { sx = w - 1 - oy; sy = ox; }
                    default -> throw new AssertionError(this);
                }
                System.arraycopy(image.rgb(), 3 * (sy * w + sx), out, 3 * (oy * outWidth + ox), 3);
            }
        }
        return new RgbImage(outWidth, outHeight, out);
    }
}

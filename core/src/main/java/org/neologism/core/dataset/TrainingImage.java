package org.neologism.core.dataset;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One training image after preprocessing.
 *
 * @param source     the file it came from
 * @param resolution the side of the square image
 * @param pixels     {@code 3 * resolution * resolution} floats in [-1, 1], channel-major (CHW), unflipped
 * @param caption    the caption file's text with the trigger substituted (rules in {@link DatasetLoader}),
 *                   if the image has one; without it the sample's prompt comes from {@link PromptTemplates}
 * @param originalHeight the source image's height before any crop or resize (SDXL conditions on it)
 * @param originalWidth  the source image's width before any crop or resize
 */
public record TrainingImage(Path source, int resolution, float[] pixels, Optional<String> caption, int originalHeight,
                            int originalWidth) {

    /** An image whose original size is the training square itself. */
    public TrainingImage(Path source, int resolution, float[] pixels, Optional<String> caption) {
        this(source, resolution, pixels, caption, resolution, resolution);
    }

    /** The same image mirrored left to right, as the random flip produces it. */
    public float[] flippedPixels() {
        float[] flipped = new float[pixels.length];
        int side = resolution;
        for (int row = 0; row < 3 * side; row++) {
            int base = row * side;
            for (int x = 0; x < side; x++) {
                flipped[base + x] = pixels[base + side - 1 - x];
            }
        }
        return flipped;
    }
}

package org.neologism.core.dataset;

import java.nio.file.Path;

/**
 * How to turn a folder of images into training pixels.
 *
 * @param dataDir    the folder of training images
 * @param resolution the square side the images are resized to
 * @param centerCrop crop the short side's square from the centre before resizing
 */
public record DatasetOptions(Path dataDir, int resolution, boolean centerCrop) {

    public DatasetOptions {
        if (resolution <= 0 || resolution % 8 != 0) {
            throw new IllegalArgumentException("--resolution must be a positive multiple of 8, not " + resolution);
        }
    }
}

package org.neologism.core.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * The images of a training folder.
 *
 * @param images  the images that were read, in file-name order
 * @param skipped files in the folder that are not images and were left out (the user is warned)
 */
public record TrainingDataset(List<TrainingImage> images, List<Path> skipped) {

    public TrainingDataset {
        images = List.copyOf(images);
        skipped = List.copyOf(skipped);
    }
}

package org.neologism.core.dataset;

import java.nio.file.Path;

/**
 * How to turn a folder of images into training pixels.
 *
 * @param dataDir          the folder of training images ({@code --train_data_dir})
 * @param resolution       the square side the images are resized to ({@code --resolution})
 * @param centerCrop       crop the short side's square from the centre before resizing ({@code --center_crop})
 * @param repeats          how many times each image appears per epoch ({@code --repeats}): the dataset's
 *                         length is images × repeats
 * @param flipProbability  the chance that a sample is mirrored left to right (diffusers uses 0.5)
 * @param placeholderToken the trigger written into captions where they say {@code {}} or {@code [name]}
 *                         (with several vectors, the expanded form {@code P P_1 …}); {@code null} when the
 *                         caller has none, and then a folder with caption files is refused
 */
public record DatasetOptions(
        Path dataDir, int resolution, boolean centerCrop, int repeats, double flipProbability,
        String placeholderToken) {

    /** diffusers' {@code TextualInversionDataset} mirrors half of the samples. */
    public static final double DEFAULT_FLIP_PROBABILITY = 0.5;

    public DatasetOptions {
        if (dataDir == null) {
            throw new IllegalArgumentException("--train_data_dir is required: the folder of training images");
        }
        if (resolution <= 0 || resolution % 8 != 0) {
            throw new IllegalArgumentException("--resolution must be a positive multiple of 8, not " + resolution);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, not " + repeats);
        }
        if (!(flipProbability >= 0.0 && flipProbability <= 1.0)) {
            throw new IllegalArgumentException("the flip probability must lie in [0, 1], not " + flipProbability);
        }
    }

    /** One pass over the images, default flips, no trigger for captions. */
    public DatasetOptions(Path dataDir, int resolution, boolean centerCrop) {
        this(dataDir, resolution, centerCrop, 1, DEFAULT_FLIP_PROBABILITY, null);
    }

    /** The options of a training run: {@code --repeats} and the trigger for captions, default flips. */
    public DatasetOptions(Path dataDir, int resolution, boolean centerCrop, int repeats, String placeholderToken) {
        this(dataDir, resolution, centerCrop, repeats, DEFAULT_FLIP_PROBABILITY, placeholderToken);
    }
}

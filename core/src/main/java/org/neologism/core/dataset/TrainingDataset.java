package org.neologism.core.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The images of a training folder.
 *
 * @param images          the images that were read, in file-name order
 * @param skipped         files in the folder that are not images and were left out (the user is warned)
 * @param repeats         how many times each image appears per epoch
 * @param flipProbability the chance that the trainer mirrors a sample ({@link TrainingImage#flippedPixels()})
 * @param imageWarnings   what the loader noticed about images it did read, one line each (an image smaller
 *                        than the training resolution, which is enlarged and so blurred)
 */
public record TrainingDataset(List<TrainingImage> images, List<Path> skipped, int repeats, double flipProbability,
                              List<String> imageWarnings) {

    public TrainingDataset {
        images = List.copyOf(images);
        skipped = List.copyOf(skipped);
        imageWarnings = List.copyOf(imageWarnings);
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, not " + repeats);
        }
    }

    /** A dataset without image warnings. */
    public TrainingDataset(List<TrainingImage> images, List<Path> skipped, int repeats, double flipProbability) {
        this(images, skipped, repeats, flipProbability, List.of());
    }

    /** The file extensions the loader reads as images (the formats PIL opens that ImageIO can decode). */
    public static final String READABLE_EXTENSIONS = "png, jpg, jpeg, webp, bmp, gif, tif, tiff";

    /** One pass over the images with diffusers' flip probability. */
    public TrainingDataset(List<TrainingImage> images, List<Path> skipped) {
        this(images, skipped, 1, DatasetOptions.DEFAULT_FLIP_PROBABILITY);
    }

    /** The number of samples per epoch: images × repeats, as diffusers' {@code TextualInversionDataset}. */
    public int length() {
        return Math.multiplyExact(images.size(), repeats);
    }

    /** Sample {@code index} of an epoch: image {@code index mod images}, as diffusers indexes it. */
    public TrainingImage sample(int index) {
        if (index < 0 || index >= length()) {
            throw new IndexOutOfBoundsException("sample " + index + " of a dataset of length " + length());
        }
        return images.get(index % images.size());
    }

    /** The warning to show when files were left out, naming each of them; empty when none were. */
    public Optional<String> skippedWarning() {
        if (skipped.isEmpty()) {
            return Optional.empty();
        }
        String names = skipped.stream().map(path -> String.valueOf(path.getFileName()))
                .collect(Collectors.joining(", "));
        return Optional.of("Skipped " + skipped.size() + (skipped.size() == 1 ? " file" : " files")
                + " that " + (skipped.size() == 1 ? "is" : "are") + " not a training image (" + READABLE_EXTENSIONS
                + ") or an image's caption: " + names);
    }

    /** Every line to show the user before training: the skipped files, then the image warnings. */
    public List<String> warnings() {
        List<String> lines = new ArrayList<>();
        skippedWarning().ifPresent(lines::add);
        lines.addAll(imageWarnings);
        return lines;
    }
}

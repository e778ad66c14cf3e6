package org.neologism.core.dataset;

import java.io.IOException;
import java.util.Set;

/**
 * Reads a folder of training images: the first stage of every training run.
 *
 * <p>What a loader does, image by image, like diffusers' {@code TextualInversionDataset}:
 * <ul>
 *   <li>reads every {@code png}, {@code jpg}/{@code jpeg}, {@code webp} and {@code bmp} file of the folder
 *       (not its sub-folders), in file-name order; any other file is left out and listed in
 *       {@link TrainingDataset#skipped()};</li>
 *   <li>turns the image upright as its EXIF orientation says, then converts it to 8-bit RGB the way
 *       PIL's {@code convert("RGB")} does (alpha dropped, grey and palette images expanded);</li>
 *   <li>optionally crops the centred square of the short side, then resizes to
 *       {@code resolution × resolution} with PIL's bicubic filter, bit for bit;</li>
 *   <li>scales to {@code uint8 / 127.5 - 1} (computed in double, stored as float), channel-major.</li>
 * </ul>
 *
 * <p>Captions: a text file with the image's name and the extension {@code .txt} ({@code cat1.png} →
 * {@code cat1.txt}) is that image's caption. Every {@code {}} and {@code [name]} in it becomes the
 * trigger; a caption that contains neither a marker nor the trigger itself gets the trigger in front
 * ({@code "<trigger>, caption"}), because a prompt without the trigger teaches the new vectors nothing.
 * A blank caption file counts as no caption (the prompt templates are used).
 */
public interface DatasetLoader {

    /**
     * The file extensions (lower case, without the dot) of the images a loader reads: what PIL opens for
     * diffusers' loader and ImageIO decodes (GIF: the first frame, as PIL's convert).
     */
    Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff");

    /**
     * Loads and preprocesses every image of the folder.
     *
     * @throws IOException naming the folder (missing, empty, unreadable) or the image that cannot be
     *                     decoded, with the fix
     */
    TrainingDataset load(DatasetOptions options) throws IOException;
}

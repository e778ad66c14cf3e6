package org.neologism.core.internal.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.neologism.core.dataset.DatasetLoader;
import org.neologism.core.dataset.DatasetOptions;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The dataset loader: diffusers' {@code TextualInversionDataset} image path for a whole folder, done
 * once per run (the per-sample flip is the trainer's, on the cached pixels). See {@link DatasetLoader}.
 */
@Component(service = DatasetLoader.class)
public class FolderDatasetLoader implements DatasetLoader {

    private final ImageIoPlugins plugins = new ImageIoPlugins();
    private final ImageFileDecoder decoder = new ImageFileDecoder();

    @Override
    public TrainingDataset load(DatasetOptions options) throws IOException {
        TrainingFolder folder = TrainingFolder.list(options.dataDir());
        List<TrainingImage> images = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path file : folder.images()) {
            RgbImage decoded = decoder.decode(file);
            smallerThanResolution(file, decoded, options).ifPresent(warnings::add);
            images.add(new TrainingImage(file, options.resolution(), pixels(decoded, options), caption(file, options),
                    decoded.height(), decoded.width()));
        }
        for (Path skipped : folder.skipped()) {
            TrainingFolder.unsupportedFormat(skipped).ifPresent(format -> warnings.add("Skipped " + skipped + ": " + format
                    + " images cannot be read. Convert it to PNG or JPEG to train on it."));
        }
        return new TrainingDataset(images, folder.skipped(), options.repeats(), options.flipProbability(), warnings);
    }

    /**
     * An image with a side shorter than the training resolution is enlarged, as diffusers does without a
     * word; the enlargement is blurry, so the user hears of it.
     */
    static Optional<String> smallerThanResolution(Path file, RgbImage image, DatasetOptions options) {
        int resolution = options.resolution();
        int width = options.centerCrop() ? Math.min(image.width(), image.height()) : image.width();
        int height = options.centerCrop() ? width : image.height();
        if (width >= resolution && height >= resolution) {
            return Optional.empty();
        }
        return Optional.of("The training image " + file + " is " + image.width() + "×" + image.height()
                + " pixels, smaller than --resolution " + resolution + ": it is enlarged to " + resolution + "×"
                + resolution + " and trains blurred. Use images at least " + resolution + " pixels on each side,"
                + " or a lower --resolution.");
    }

    /** Optional centre crop, PIL bicubic resize to the training resolution, scaling to [-1, 1]. */
    static float[] pixels(RgbImage image, DatasetOptions options) {
        RgbImage cropped = options.centerCrop() ? image.centerCropped() : image;
        return PilBicubicResize.resize(cropped, options.resolution(), options.resolution()).toChannelMajorPixels();
    }

    private static Optional<String> caption(Path image, DatasetOptions options) throws IOException {
        Optional<Path> file = TrainingFolder.existingCaption(image);
        return file.isPresent() ? Caption.read(file.get(), options.placeholderToken()) : Optional.empty();
    }

    @Deactivate
    void deactivate() {
        plugins.close();
    }
}

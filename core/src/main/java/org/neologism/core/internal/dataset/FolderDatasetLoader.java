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
        for (Path file : folder.images()) {
            RgbImage image = decoder.decode(file);
            images.add(new TrainingImage(file, options.resolution(), pixels(image, options), caption(file, options),
                    image.height(), image.width()));
        }
        return new TrainingDataset(images, folder.skipped(), options.repeats(), options.flipProbability());
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

package org.neologism.trainer.model;

import java.nio.file.Path;
import org.neologism.trainer.model.config.UnsupportedModelException;

/** The product's {@link WeightOpener}: safetensors or PyTorch .bin through core's readers, chosen by file name. */
public final class WeightFiles {

    public static final WeightOpener OPENER = WeightFiles::open;

    private WeightFiles() {}

    static WeightSource open(Path file) throws java.io.IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            return new SafetensorsWeights(file);
        }
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            return new TorchCheckpointWeights(file);
        }
        throw new UnsupportedModelException(file + ": not a weight file (expected .safetensors or a PyTorch .bin)");
    }
}

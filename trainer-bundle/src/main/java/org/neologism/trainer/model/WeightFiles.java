package org.neologism.trainer.model;

import java.nio.file.Path;
import org.neologism.trainer.model.config.UnsupportedModelException;

/** The product's {@link WeightOpener}: safetensors through core's reader, chosen by file name. */
public final class WeightFiles {

    public static final WeightOpener OPENER = WeightFiles::open;

    private WeightFiles() {}

    static WeightSource open(Path file) throws java.io.IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            return new SafetensorsWeights(file);
        }
        throw new UnsupportedModelException(file + ": PyTorch .bin weights cannot be read yet; convert the model"
                + " to safetensors (diffusers: pipe.save_pretrained(dir, safe_serialization=True))");
    }
}

package org.neologism.trainer.model;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a weight file (.safetensors or PyTorch .bin) for streaming. */
@FunctionalInterface
public interface WeightOpener {
    WeightSource open(Path file) throws IOException;
}

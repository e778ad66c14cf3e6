package org.neologism.core.dataset;

import java.io.IOException;

/** Reads a folder of training images: the first stage of every training run. */
public interface DatasetLoader {

    /**
     * Loads and preprocesses every image of the folder.
     *
     * @throws IOException naming the folder or the image that cannot be read
     */
    TrainingDataset load(DatasetOptions options) throws IOException;
}

package org.neologism.trainer.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.InstalledModels;
import org.neologism.core.root.RootFolder;

/**
 * {@code --model}: a diffusers folder given by path, by name under {@code <root>/models/}, or by its name in
 * {@code <root>/configs/models.yaml}.
 */
public final class ModelLocator {

    private ModelLocator() {}

    public static Path locate(String model, RootFolder root) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is required: a diffusers model folder or the name of one under " + root.models());
        }
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath)) {
            return asPath.toAbsolutePath();
        }
        Path named = root.models().resolve(model);
        if (Files.isDirectory(named)) {
            return named;
        }
        Optional<InstalledModel> listed = InstalledModels.of(root).find(model);
        if (listed.isPresent()) {
            return listed.get().trainableFolder();
        }
        throw new IllegalArgumentException("--model " + model + " is neither a diffusers model folder nor a model under "
                + root.models() + " or in " + root.modelsYaml() + " (ti:models lists them). Give the folder that holds"
                + " model_index.json, or create one with"
                + " ti:model create " + root.models().resolve("<name>") + " --arch tiny-sd1|tiny-sd2|sd15|sd21.");
    }
}

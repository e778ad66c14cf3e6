package org.neologism.trainer.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.neologism.core.root.CheckpointFamily;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.InstalledModels;
import org.neologism.core.root.RootFolder;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;

/**
 * {@code --model}: a diffusers folder or a single-file checkpoint ({@code .safetensors}, {@code .ckpt}) given by
 * path, by name under {@code <root>/models/}, or by its name in {@code <root>/configs/models.yaml} (whose
 * {@code ckpt} entries bring their {@code config:} YAML). The one place every command finds its model.
 */
public final class ModelLocator {

    /** Where the model is, and the LDM YAML its models.yaml entry or a sidecar file names (or null). */
    public record Located(Path path, Path listedConfig) {

        public boolean isSingleFile() {
            return Files.isRegularFile(path);
        }
    }

    private ModelLocator() {}

    public static Path locate(String model, RootFolder root) {
        return find(model, root).path();
    }

    public static Located find(String model, RootFolder root) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is required: a diffusers model folder, a .safetensors/.ckpt"
                    + " checkpoint, or the name of one under " + root.models());
        }
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath) || Files.isRegularFile(asPath) && CheckpointFamily.isCheckpointFile(asPath)) {
            return new Located(asPath.toAbsolutePath(), sidecarYaml(asPath.toAbsolutePath()));
        }
        Path named = root.models().resolve(model);
        if (Files.isDirectory(named) || Files.isRegularFile(named) && CheckpointFamily.isCheckpointFile(named)) {
            return new Located(named, sidecarYaml(named));
        }
        Optional<InstalledModel> listed = InstalledModels.of(root).find(model);
        if (listed.isPresent()) {
            Path path = listed.get().trainablePath();
            return new Located(path, listed.get().config() != null ? listed.get().config() : sidecarYaml(path));
        }
        if (Files.isRegularFile(asPath)) {
            throw new IllegalArgumentException("--model " + model + " is a file but not a checkpoint: give a"
                    + " .safetensors or .ckpt file, or a diffusers model folder");
        }
        throw new IllegalArgumentException("--model " + model + " is neither a diffusers model folder nor a checkpoint"
                + " file nor a model under " + root.models() + " or in " + root.modelsYaml() + " (ti:models lists"
                + " them). Give the folder that holds model_index.json or a .safetensors/.ckpt file, or create one"
                + " with ti:model create " + root.models().resolve("<name>") + " --arch tiny-sd1|tiny-sd2|sd15|sd21.");
    }

    /**
     * The pipeline to train with: a diffusers folder, or a single file read as one. A single file's config is
     * {@code options.originalConfig()}, else the YAML models.yaml names, else {@code <stem>.yaml} beside it.
     */
    public static DiffusersFolder open(String model, RootFolder root, SingleFileOptions options) {
        Located located = find(model, root);
        if (!located.isSingleFile()) {
            return DiffusersFolder.open(located.path(), WeightFiles.OPENER);
        }
        SingleFileOptions effective = options.originalConfig() != null || located.listedConfig() == null ? options
                : new SingleFileOptions(located.listedConfig(), options.predictionType(), options.tokenizer(),
                        options.extractEma());
        return SingleFileModel.open(located.path(), effective).pipeline();
    }

    /** A1111 and InvokeAI 2.3 read {@code <stem>.yaml} beside the weights as the model's LDM config. */
    private static Path sidecarYaml(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Path yaml = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".yaml");
        return Files.isRegularFile(yaml) ? yaml : null;
    }
}

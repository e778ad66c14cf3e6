package org.neologism.trainer.shell;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.tensors.DType;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.ModelSummary;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.create.Architecture;
import org.neologism.trainer.model.create.RandomModelWriter;
import org.neologism.trainer.model.single.SingleFileConversion;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.ComponentServiceObjects;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.ModelCheck;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.Kernels;

/** {@code ti:model create <dir> --arch ...} and {@code ti:model info <dir>}: thin; the work is in the model package. */
@Component(service = ModelCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=model"
})
public class ModelCommand {

    /** Looked up only by {@code --check}: create and info never load libtorch. */
    private final ComponentServiceObjects<TorchEngine> engines;

    @Activate
    public ModelCommand(@Reference ComponentServiceObjects<TorchEngine> engines) {
        this.engines = engines;
    }

    @Descriptor("create <dir> --arch tiny-sd1|tiny-sd2|tiny-sdxl|sd15|sd21|sdxl [--seed S] [--fp16]: write a diffusers model folder with"
            + " untrained weights of that architecture; info <dir|file> [--check]: show a model folder's or a single-file"
            + " checkpoint's architecture, parameter counts and token width (--check also loads the networks and runs"
            + " each once)")
    public void model(
            @Descriptor("architecture for create: tiny-sd1, tiny-sd2, tiny-sdxl, sd15, sd21 or sdxl")
            @Parameter(names = "--arch", absentValue = "") String arch,
            @Descriptor("random seed for create") @Parameter(names = "--seed", absentValue = "0") long seed,
            @Descriptor("write float16 weights (half the size)")
            @Parameter(names = "--fp16", presentValue = "true", absentValue = "false") boolean fp16,
            @Descriptor("with info: load the networks and run each once on a small input")
            @Parameter(names = "--check", presentValue = "true", absentValue = "false") boolean check,
            @Descriptor("for a single file: its LDM YAML or a diffusers folder with its configs (default: inferred)")
            @Parameter(names = "--original_config", absentValue = "") String originalConfig,
            @Descriptor("for an SD 2.x single file: epsilon or v_prediction")
            @Parameter(names = "--prediction_type", absentValue = "") String predictionType,
            @Descriptor("create or info") String action,
            @Descriptor("the model folder, or a .safetensors/.ckpt checkpoint for info") String dir) throws IOException {
        Path folder = Path.of(dir).toAbsolutePath();
        switch (action) {
            case "create" -> {
                if (arch.isEmpty()) {
                    throw new IllegalArgumentException("ti:model create needs --arch " + Architecture.ids());
                }
                Architecture architecture = Architecture.of(arch);
                DiffusersFolder created = new RandomModelWriter(architecture, seed, fp16 ? DType.F16 : DType.F32)
                        .write(folder);
                System.out.println("Wrote " + architecture.id() + " with untrained weights (seed " + seed + ") to " + folder);
                ModelSummary.of(created).lines().forEach(System.out::println);
            }
            case "info" -> {
                DiffusersFolder model;
                if (java.nio.file.Files.isRegularFile(folder)) {
                    SingleFileModel file = SingleFileModel.open(folder,
                            SingleFileOptions.of(originalConfig, predictionType, ""));
                    System.out.println("Single file    " + file.describe() + ", " + file.layout().unused().size()
                            + " tensors not used (schedule buffers, EMA copies, ...)");
                    model = file.pipeline();
                } else {
                    model = DiffusersFolder.open(folder, WeightFiles.OPENER);
                }
                ModelSummary.of(model).lines().forEach(System.out::println);
                if (check) {
                    check(model, fp16 ? DataType.FLOAT16 : DataType.FLOAT32);
                }
            }
            default -> throw new IllegalArgumentException("ti:model " + action + " is not known; use ti:model create"
                    + " <dir> --arch <arch>, ti:model info <dir|file> or ti:model convert <file> <dir>");
        }
    }

    @Descriptor("convert <file> <dir>: write a single-file checkpoint (.safetensors/.ckpt) as a diffusers folder")
    public void model(
            @Descriptor("the checkpoint's LDM YAML or a diffusers folder with its configs (default: inferred)")
            @Parameter(names = "--original_config", absentValue = "") String originalConfig,
            @Descriptor("for an SD 2.x checkpoint: epsilon or v_prediction")
            @Parameter(names = "--prediction_type", absentValue = "") String predictionType,
            @Descriptor("a tokenizer folder to write instead of CLIP's bundled vocabulary")
            @Parameter(names = "--tokenizer", absentValue = "") String tokenizer,
            @Descriptor("convert") String action,
            @Descriptor("the .safetensors or .ckpt checkpoint") String file,
            @Descriptor("the new diffusers folder") String dir) throws IOException {
        if (!"convert".equals(action)) {
            throw new IllegalArgumentException("ti:model " + action + " takes one folder; ti:model convert <file> <dir>"
                    + " writes a checkpoint as a diffusers folder");
        }
        Path source = Path.of(file).toAbsolutePath();
        Path target = Path.of(dir).toAbsolutePath();
        SingleFileModel model = SingleFileModel.open(source, SingleFileOptions.of(originalConfig, predictionType, tokenizer));
        long started = System.nanoTime();
        DiffusersFolder written = SingleFileConversion.write(model, target);
        System.out.printf(java.util.Locale.ROOT, "Wrote %s (%s) as a diffusers folder to %s in %.1f s%n", source,
                model.describe(), target, (System.nanoTime() - started) / 1e9);
        ModelSummary.of(written).lines().forEach(System.out::println);
    }

    private void check(DiffusersFolder model, DataType type) throws IOException {
        TorchEngine torch = engines.getService();
        try (NDManager manager = torch.newManager()) {
            Path cache = kernelCache();
            Kernels kernels = FusedKernels.orComposed(cache, manager, System.out::println);
            try {
                ModelCheck.run(model, manager, type, kernels, 8).forEach(System.out::println);
            } finally {
                if (kernels instanceof FusedKernels fused) {
                    fused.close();
                }
            }
        } finally {
            engines.ungetService(torch);
        }
    }

    /** The distribution's cache folder when it has one, else a temporary folder. */
    private static Path kernelCache() throws IOException {
        String home = System.getProperty("neologism.home");
        if (home != null && java.nio.file.Files.isWritable(Path.of(home))) {
            return Path.of(home, "cache", "kernels");
        }
        return java.nio.file.Files.createTempDirectory("neologism-kernels");
    }
}

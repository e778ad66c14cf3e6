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
import org.osgi.service.component.annotations.Component;

/** {@code ti:model create <dir> --arch ...} and {@code ti:model info <dir>}: thin; the work is in the model package. */
@Component(service = ModelCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=model"
})
public class ModelCommand {

    @Descriptor("create <dir> --arch tiny-sd1|tiny-sd2|sd15|sd21 [--seed S] [--fp16]: write a diffusers model folder with"
            + " untrained weights of that architecture; info <dir>: show a model folder's architecture, parameter counts"
            + " and token width")
    public void model(
            @Descriptor("architecture for create: tiny-sd1, tiny-sd2, sd15 or sd21")
            @Parameter(names = "--arch", absentValue = "") String arch,
            @Descriptor("random seed for create") @Parameter(names = "--seed", absentValue = "0") long seed,
            @Descriptor("write float16 weights (half the size)")
            @Parameter(names = "--fp16", presentValue = "true", absentValue = "false") boolean fp16,
            @Descriptor("create or info") String action,
            @Descriptor("the model folder") String dir) throws IOException {
        Path folder = Path.of(dir).toAbsolutePath();
        switch (action) {
            case "create" -> {
                if (arch.isEmpty()) {
                    throw new IllegalArgumentException("ti:model create needs --arch tiny-sd1, tiny-sd2, sd15 or sd21");
                }
                Architecture architecture = Architecture.of(arch);
                DiffusersFolder created = new RandomModelWriter(architecture, seed, fp16 ? DType.F16 : DType.F32)
                        .write(folder);
                System.out.println("Wrote " + architecture.id() + " with untrained weights (seed " + seed + ") to " + folder);
                ModelSummary.of(created).lines().forEach(System.out::println);
            }
            case "info" -> ModelSummary.of(DiffusersFolder.open(folder, WeightFiles.OPENER)).lines()
                    .forEach(System.out::println);
            default -> throw new IllegalArgumentException("ti:model " + action + " is not known; use ti:model create"
                    + " <dir> --arch <arch> or ti:model info <dir>");
        }
    }
}

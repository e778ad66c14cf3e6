package org.neologism.trainer.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.neologism.core.tensors.DType;
import org.neologism.core.console.ProgressBar;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.demo.DemoImages;
import org.neologism.core.training.Trainer;
import org.neologism.trainer.model.create.Architecture;
import org.neologism.trainer.model.create.RandomModelWriter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:demo}: a whole training run on a fresh machine, nothing downloaded — a tiny model and a few
 * images the project generates itself, trained end to end, installed, and explained.
 */
@Component(service = DemoCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=demo"
})
public class DemoCommand {

    static final String TRIGGER = "<neologism-toy>";
    static final String MODEL = "neologism-demo-tiny-sd1";

    private final Trainer trainer;
    private final Settings settings;

    @Activate
    public DemoCommand(@Reference Trainer trainer, @Reference Settings settings) {
        this.settings = settings;
        this.trainer = trainer;
    }

    @Descriptor("Train a demo embedding end to end: generates a tiny SD 1.x model and four images under the root"
            + " folder, trains " + TRIGGER + " on them, installs it, and shows where the files are")
    public void demo(
            @Descriptor("the root folder (default: NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)")
            @Parameter(names = "--root", absentValue = "") String rootOption,
            @Descriptor("optimiser steps (default 200)")
            @Parameter(names = "--steps", absentValue = "200") int steps) throws IOException, InterruptedException {
        PrintStream out = System.out;
        RootFolder root = settings.root(rootOption).createLayout();
        Path model = root.models().resolve(MODEL);
        if (!Files.isRegularFile(model.resolve("model_index.json"))) {
            out.println("Generating a tiny SD 1.x model with untrained weights in " + model);
            new RandomModelWriter(Architecture.of("tiny-sd1"), 0, DType.F32).write(model);
        }
        Path images = root.trainingData(TRIGGER);
        DemoImages.writeIfMissing(images, 4, 64);
        out.println("Training " + TRIGGER + " on the images in " + images);

        // A 32-pixel run that finishes in seconds on a CPU: everything else is invokeai-ti's default.
        TrainingRequest request = TrainingRequest.builder(TRIGGER).model(model.toString()).resolution(32)
                .trainBatchSize(4).maxTrainSteps(steps).learningRate(5e-3).scaleLr(false).lrWarmupSteps(0)
                .checkpointingSteps(Math.max(1, steps / 2)).checkpointsTotalLimit(2).saveSteps(Math.max(1, steps / 2))
                .seed(42L).root(root.path())
                // a demo run again starts afresh: the previous demo's outputs are moved aside, not mixed in
                .overwriteOutputDir(true).build();
        long job = trainer.submit(request);
        TrainingProgress end = new ProgressBar(out).follow(trainer, job);
        if (end.status() != TrainingStatus.COMPLETED) {
            throw new IllegalStateException(end.message());
        }
        Path output = root.trainingOutput(TRIGGER);
        out.println();
        out.println("Done. The embedding is in " + output.resolve("learned_embeds.bin")
                + " (and .safetensors), with loss.csv and loss.png beside it.");
        out.println("It is installed in " + root.embeddings() + ", where InvokeAI finds it: write " + TRIGGER + " in a prompt.");
        out.println("diffusers: pipe.load_textual_inversion(\"" + output.resolve("learned_embeds.safetensors") + "\")");
        out.println("The model is a tiny untrained one: the demo shows the workflow, not a useful concept.");
        out.println("Train your own: ti:train --model <diffusers folder> --placeholder_token <my-thing> --train_data_dir <images>");
    }
}

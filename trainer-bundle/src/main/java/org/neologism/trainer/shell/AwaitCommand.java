package org.neologism.trainer.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.neologism.core.console.ProgressBar;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:await}: stays until every training job of this session has ended, following each with its
 * progress bar. The launcher's non-interactive {@code --run} ends with it, so a {@code ti:train} without
 * {@code --wait} trains to the end instead of being cut off when the process exits. (The function is not
 * called {@code wait}: Gogo would find {@code Object.wait()}.)
 */
@Component(service = AwaitCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=await"
})
public class AwaitCommand {

    private final Trainer trainer;

    @Activate
    public AwaitCommand(@Reference Trainer trainer) {
        this.trainer = trainer;
    }

    @Descriptor("Wait until every training job of this session has ended, with its progress bar; fails when one did not"
            + " complete")
    public void await() throws InterruptedException {
        PrintStream out = System.out;
        List<String> unfinished = new ArrayList<>();
        for (TrainingProgress job : trainer.jobs()) {
            TrainingProgress end = job;
            if (!job.status().isFinal()) {
                out.println("Waiting for job " + job.jobId() + " (" + job.trigger() + ") to end");
                end = new ProgressBar(out).follow(trainer, job.jobId());
            }
            if (end.status() != TrainingStatus.COMPLETED) {
                unfinished.add("job " + end.jobId() + " (" + end.trigger() + ") " + end.status().name().toLowerCase()
                        + ": " + end.message());
            } else if (!job.status().isFinal()) {
                out.println(end.message());
            }
        }
        if (!unfinished.isEmpty()) {
            throw new IllegalStateException(String.join("; ", unfinished));
        }
    }
}

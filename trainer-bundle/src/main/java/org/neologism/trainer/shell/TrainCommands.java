package org.neologism.trainer.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.neologism.core.console.CommandManual;
import org.neologism.core.console.ProgressBar;
import org.neologism.core.console.StatusLine;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingCommandLine;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:train}, {@code ti:status} and {@code ti:stop}. Every option of invokeai-ti under its name,
 * with its default, from the option table of core's API; {@code help ti:train} is the manual. The work
 * happens in the {@link Trainer} service.
 */
@Component(service = {TrainCommands.class, CommandManual.class}, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=train",
    "osgi.command.function=status",
    "osgi.command.function=stop"
})
public class TrainCommands implements CommandManual {

    static final String DESCRIPTION = "Learn a trigger's embedding from a folder of images (textual inversion, as"
            + " diffusers and invokeai-ti train it). Runs in the background; ti:status shows progress, ti:stop checkpoints"
            + " and stops. With --wait it runs in the foreground with a progress bar.";

    private static final String WAIT = "--wait";
    private static final TrainingCommandLine COMMAND_LINE = new TrainingCommandLine("help ti:train", List.of(
            new TrainingCommandLine.Switch(List.of(WAIT), "stay in the foreground with a progress bar until the run ends")));

    private final Trainer trainer;

    @Activate
    public TrainCommands(@Reference Trainer trainer) {
        this.trainer = trainer;
    }

    @Descriptor(DESCRIPTION)
    public long train(@Descriptor("the options; help ti:train lists them") String... args) throws InterruptedException {
        TrainingCommandLine.Parsed line = COMMAND_LINE.parse(List.of(args));
        TrainingRequest request = line.request();
        long job = trainer.submit(request);
        PrintStream out = System.out;
        if (!line.has(WAIT)) {
            out.println("Job " + job + " queued: training " + request.placeholderToken() + ". Follow it with ti:status,"
                    + " stop it with ti:stop " + job);
            return job;
        }
        TrainingProgress end = new ProgressBar(out).follow(trainer, job);
        if (end.status() != TrainingStatus.COMPLETED) {
            throw new IllegalStateException(end.message());
        }
        return job;
    }

    @Override
    public Optional<String> manual(String function) {
        if (!function.equals("train")) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        TrainingCommandLine.wrap(DESCRIPTION, 0).forEach(line -> text.append(line).append('\n'));
        text.append("\nusage: ti:train --placeholder_token TRIGGER [--model MODEL] [--wait] [options]\n");
        text.append("Options take their value as --option value or --option=value; in the shell a trigger with < > must"
                + " be quoted: '<cat-toy>'.\n\noptions:\n");
        text.append(COMMAND_LINE.optionsHelp());
        return Optional.of(text.toString());
    }

    @Descriptor("Show every job of this session: step/total, loss, learning rate, it/s, ETA and memory")
    public void status() {
        List<TrainingProgress> jobs = trainer.jobs();
        if (jobs.isEmpty()) {
            System.out.println("No training jobs in this session. Start one with ti:train.");
        }
        jobs.forEach(progress -> System.out.println(StatusLine.of(progress)));
    }

    @Descriptor("Show one job with the lines it reported")
    public void status(@Descriptor("the job number") long job) {
        TrainingProgress progress = trainer.progress(job)
                .orElseThrow(() -> new IllegalArgumentException("There is no job " + job + "; ti:status lists them"));
        System.out.println(StatusLine.of(progress));
        trainer.notices(job).forEach(line -> System.out.println("  " + line));
    }

    @Descriptor("Write a checkpoint and stop a job (a queued job is removed); resume later with --resume_from_checkpoint latest")
    public void stop(@Descriptor("the job number") long job) {
        if (!trainer.stop(job)) {
            throw new IllegalArgumentException("There is no job " + job + "; ti:status lists them");
        }
        System.out.println("Job " + job + " will write a checkpoint and stop");
    }
}

package org.neologism.frontends.invokeaiti;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.neologism.core.console.ProgressBar;
import org.neologism.core.launch.CommandLineTool;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.neologism.core.training.InvalidTrainingRequestException;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingCommandLine;
import org.neologism.core.training.TrainingOptions;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.frontends.form.FormDefaults;
import org.neologism.frontends.form.TrainingForm;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code invokeai-ti}: the launcher starts the framework and hands this tool the raw arguments. It parses them
 * with the option table of core's API, asks the {@link Trainer} what it would refuse, then submits the
 * request and follows it with a progress bar, or opens the console form first with {@code --gui}. Exit
 * codes: 0 trained (or help, or cancelled), 1 the run failed, 2 a command line it cannot use; each error is
 * printed once.
 */
@Component(service = CommandLineTool.class, property = CommandLineTool.NAME_PROPERTY + "=" + InvokeAiTiCommand.NAME)
public class InvokeAiTiCommand implements CommandLineTool {

    static final String NAME = "invokeai-ti";
    static final String HELP = "--help";
    static final String GUI = "--gui";
    static final TrainingCommandLine COMMAND_LINE = new TrainingCommandLine(NAME, List.of(
            new TrainingCommandLine.Switch(List.of(HELP, "-h"), "show this help and exit"),
            new TrainingCommandLine.Switch(List.of(GUI),
                    "open the console form (the values given here and the last answers prefill it)")));

    private final BundleContext context;
    private final Settings settings;
    private final Trainer trainer;
    private final RegisteredSchedules schedules;

    @Activate
    public InvokeAiTiCommand(BundleContext context, @Reference Trainer trainer, @Reference RegisteredSchedules schedules,
                             @Reference Settings settings) {
        this.context = context;
        this.settings = settings;
        this.trainer = trainer;
        this.schedules = schedules;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        TrainingRequest request;
        try {
            TrainingCommandLine.Parsed line = COMMAND_LINE.parse(args);
            if (line.has(HELP)) {
                out.print(Usage.of(COMMAND_LINE));
                return 0;
            }
            RootFolder root = root(line.given().get("--root"));
            request = line.request().toBuilder().root(root.path()).build();
            if (line.has(GUI)) {
                Optional<TrainingRequest> answered = form(root, line.given());
                if (answered.isEmpty()) {
                    out.println(NAME + ": cancelled, nothing trained");
                    return 0;
                }
                request = answered.get();
            }
            List<String> problems = problems(request);
            if (!problems.isEmpty()) {
                throw new InvalidTrainingRequestException(problems);
            }
        } catch (InvalidTrainingRequestException e) {
            e.problems().forEach(problem -> err.println(NAME + ": error: " + problem));
            return BAD_COMMAND_LINE;
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": error: " + e.getMessage());
            return BAD_COMMAND_LINE;
        }
        return train(request, out, err);
    }

    /** What the trainer would refuse, and a schedule that is not registered: the foreground run cannot wait for one. */
    private List<String> problems(TrainingRequest request) {
        List<String> problems = new ArrayList<>(trainer.problems(request));
        List<String> registered = schedules.names();
        if (problems.isEmpty() && !registered.isEmpty() && !registered.contains(request.lrScheduler())) {
            problems.add("--lr_scheduler " + request.lrScheduler() + " is not a registered schedule; choose one of "
                    + String.join(", ", registered));
        }
        return problems;
    }

    private Optional<TrainingRequest> form(RootFolder root, Map<String, String> given) {
        FormDefaults defaults = new FormDefaults(root, given);
        Optional<Map<String, String>> answers = new TrainingForm(defaults, TrainingOptions.defaults(), schedules::names,
                chosen -> {
                    List<String> problems = problems(TrainingOptions.request(chosen));
                    if (!problems.isEmpty()) {
                        throw new InvalidTrainingRequestException(problems);
                    }
                }).show();
        return answers.map(TrainingOptions::request);
    }

    /** {@code --root}, else the process's root; created with the guide's layout on first use. */
    private RootFolder root(String given) {
        RootFolder root = settings.root(given);
        try {
            return root.createLayout();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the root folder " + root.path() + " (" + e.getMessage()
                    + "); give a writable one with --root");
        }
    }

    private int train(TrainingRequest request, PrintStream out, PrintStream err) {
        long job;
        try {
            job = trainer.submit(request);
        } catch (InvalidTrainingRequestException e) {
            e.problems().forEach(problem -> err.println(NAME + ": error: " + problem));
            return BAD_COMMAND_LINE;
        }
        Thread stopOnInterrupt = new Thread(() -> stopUnfinished(job, err), "invokeai-ti-interrupt");
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        try {
            TrainingProgress end = new ProgressBar(out).follow(trainer, job);
            if (end.status() == TrainingStatus.COMPLETED) {
                return 0;
            }
            err.println(NAME + ": error: " + end.message());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it stops the job and waits for its checkpoint.
            }
        }
    }

    /** Ctrl-C: the job writes its checkpoint, so --resume_from_checkpoint latest continues it. */
    private void stopUnfinished(long job, PrintStream err) {
        if (trainer.progress(job).map(progress -> progress.status().isFinal()).orElse(true)) {
            return;
        }
        err.println();
        err.println(NAME + ": interrupted; writing a checkpoint (--resume_from_checkpoint latest continues)");
        trainer.stop(job);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline
                && trainer.progress(job).map(progress -> !progress.status().isFinal()).orElse(false)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        trainer.progress(job).ifPresent(end -> err.println(NAME + ": " + end.status() + ": " + end.message()));
    }
}

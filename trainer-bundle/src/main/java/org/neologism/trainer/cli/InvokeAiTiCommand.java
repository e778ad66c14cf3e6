package org.neologism.trainer.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingProgress;
import org.neologism.trainer.cli.form.FormDefaults;
import org.neologism.trainer.cli.form.TrainingForm;
import org.neologism.trainer.shell.TrainCommands;
import org.neologism.core.settings.Settings;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code invokeai-ti}: the launcher starts the framework and hands this service the raw arguments (no
 * shell parses them, so {@code <cat-toy>} needs no Gogo quoting). It checks the command line, then runs
 * {@code ti:train --wait} through the {@link Trainer} service, or opens the console form first with {@code --gui}.
 * The launcher calls {@link #run} reflectively, so its signature holds only JDK types.
 */
@Component(service = InvokeAiTiCommand.class)
public class InvokeAiTiCommand {

    /** argparse's exit code for a command line it cannot use. */
    public static final int BAD_COMMAND_LINE = 2;
    public static final int TRAINING_FAILED = 1;

    private final BundleContext context;
    private final TrainCommands train;
    private final Trainer trainer;
    private final Settings settings;
    private final TrainOptions options = TrainOptions.ofTrainCommand();

    @Activate
    public InvokeAiTiCommand(BundleContext context, @Reference TrainCommands train, @Reference Trainer trainer,
                             @Reference Settings settings) {
        this.context = context;
        this.settings = settings;
        this.train = train;
        this.trainer = trainer;
    }

    /** Runs invokeai-ti with its arguments; returns the process's exit code. */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLineParser parser = new CommandLineParser(options);
        CommandLineChecks checks = new CommandLineChecks(context, settings, options);
        ParsedCommandLine line;
        try {
            line = parser.parse(args);
            if (line.help()) {
                out.print(Usage.of(options));
                return 0;
            }
            if (line.gui()) {
                FormDefaults defaults = new FormDefaults(checks.root(line), line.given());
                Map<String, String> commandLineDefaults = new HashMap<>();
                options.all().forEach(option -> commandLineDefaults.put(option.name(), option.defaultValue()));
                Optional<Map<String, String>> answered = new TrainingForm(defaults, commandLineDefaults,
                        checks::registeredSchedules, answers -> checks.check(new ParsedCommandLine(answers, false, false)))
                        .show();
                if (answered.isEmpty()) {
                    out.println("invokeai-ti: cancelled, nothing trained");
                    return 0;
                }
                line = new ParsedCommandLine(answered.get(), false, false);
            }
            checks.check(line);
        } catch (IllegalArgumentException e) {
            err.println("invokeai-ti: error: " + e.getMessage());
            return BAD_COMMAND_LINE;
        }
        return train(line, err);
    }

    private int train(ParsedCommandLine line, PrintStream err) {
        Thread stopOnInterrupt = new Thread(() -> stopRunningJobs(err), "invokeai-ti-interrupt");
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        try {
            options.train().invoke(train, line.trainArguments(options));
            return 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            err.println("invokeai-ti: error: " + cause.getMessage());
            return cause instanceof IllegalArgumentException ? BAD_COMMAND_LINE : TRAINING_FAILED;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it stops the job and waits for its checkpoint.
            }
        }
    }

    /** Ctrl-C: each unfinished job writes its checkpoint, so --resume_from_checkpoint latest continues it. */
    private void stopRunningJobs(PrintStream err) {
        List<TrainingProgress> running = trainer.jobs().stream().filter(job -> !job.status().isFinal()).toList();
        if (running.isEmpty()) {
            return;
        }
        err.println();
        err.println("invokeai-ti: interrupted; writing a checkpoint (--resume_from_checkpoint latest continues)");
        running.forEach(job -> trainer.stop(job.jobId()));
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && trainer.jobs().stream().anyMatch(job -> !job.status().isFinal())) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.forEach(job -> trainer.progress(job.jobId())
                .ifPresent(end -> err.println("invokeai-ti: " + end.status() + ": " + end.message())));
    }
}

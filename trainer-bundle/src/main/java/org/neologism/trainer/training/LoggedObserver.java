package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.neologism.core.training.TrainingStatus;

/**
 * Passes a run's reports on and keeps them in {@code logs/train.log} of the output folder, with a
 * line every {@value #STEP_LINE_EVERY} steps, so a run can be followed and audited after the shell is gone.
 */
final class LoggedObserver implements RunObserver {

    private static final int STEP_LINE_EVERY = 50;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final RunObserver next;
    private final Path file;

    LoggedObserver(RunObserver next, Path file) {
        this.next = next;
        this.file = file;
    }

    @Override
    public void status(TrainingStatus status, String message) {
        write(status + ": " + message);
        next.status(status, message);
    }

    @Override
    public void paused(String waitsFor, String message) {
        write(TrainingStatus.PAUSED + ": " + message);
        next.paused(waitsFor, message);
    }

    @Override
    public void notice(String message) {
        write(message);
        next.notice(message);
    }

    @Override
    public void stepDone(long step, long totalSteps, double loss, double lr) {
        if (step % STEP_LINE_EVERY == 0 || step == totalSteps) {
            write(String.format(Locale.ROOT, "step %d/%d loss %.6f lr %.3e", step, totalSteps, loss, lr));
        }
        next.stepDone(step, totalSteps, loss, lr);
    }

    @Override
    public boolean stopRequested() {
        return next.stopRequested();
    }

    /** Logging never stops training: a full disk shows up when the run writes its files. */
    private void write(String line) {
        try {
            Files.writeString(file, LocalDateTime.now().format(TIME) + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            next.notice("Cannot write " + file + ": " + e.getMessage());
        }
    }
}

package org.neologism.core.console;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingStatus;

/**
 * Follows a job in the console until it ends: a bar redrawn in place, and the job's notices as they come.
 * A job that did not finish is the caller's to report: its last message is not printed here, so each error
 * is printed once, and no bar is left behind by a run that failed before its first step.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REFRESH_MILLIS = 250;

    private final PrintStream out;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** Blocks until the job ends; returns its last progress. */
    public TrainingProgress follow(Trainer trainer, long job) throws InterruptedException {
        int shownNotices = 0;
        boolean barShown = false;
        while (true) {
            TrainingProgress progress = trainer.progress(job).orElseThrow();
            List<String> notices = trainer.notices(job);
            boolean failed = progress.status() == TrainingStatus.FAILED;
            // The job's last notice is its outcome; a failure's outcome is the caller's error line.
            int shown = failed && !notices.isEmpty() ? notices.size() - 1 : notices.size();
            for (; shownNotices < shown; shownNotices++) {
                if (barShown) {
                    out.print("\r\033[K");
                }
                out.println(notices.get(shownNotices));
            }
            boolean drawBar = progress.step() > 0 || progress.status() == TrainingStatus.RUNNING
                    || progress.status() == TrainingStatus.COMPLETED;
            if (drawBar) {
                out.print("\r" + bar(progress));
                barShown = true;
            }
            if (progress.status().isFinal()) {
                // The last bar is drawn too: a short run may end between two refreshes.
                if (barShown) {
                    out.println();
                }
                return progress;
            }
            out.flush();
            Thread.sleep(REFRESH_MILLIS);
        }
    }

    /** {@code  40% |############                  | 2/5 loss 0.1234 2.00 it/s ETA 2s}. */
    public static String bar(TrainingProgress progress) {
        double done = progress.totalSteps() == 0 ? 0 : (double) progress.step() / progress.totalSteps();
        int filled = (int) Math.round(done * WIDTH);
        String eta = progress.etaSeconds() >= 0 ? " ETA " + StatusLine.duration(progress.etaSeconds()) : "";
        String loss = Double.isNaN(progress.loss()) ? "" : String.format(Locale.ROOT, " loss %.4f", progress.loss());
        return String.format(Locale.ROOT, "%3.0f%% |%s%s| %d/%d%s %.2f it/s%s", done * 100, "#".repeat(filled),
                " ".repeat(WIDTH - filled), progress.step(), progress.totalSteps(), loss, progress.stepsPerSecond(), eta);
    }
}

package org.neologism.trainer.shell;

import java.io.PrintStream;
import java.util.Locale;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.Trainer;

/** Follows a job in the console until it ends: a bar redrawn in place, and the job's notices as they come. */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REFRESH_MILLIS = 250;

    private final PrintStream out;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    TrainingProgress follow(Trainer trainer, long job) throws InterruptedException {
        int shownNotices = 0;
        while (true) {
            TrainingProgress progress = trainer.progress(job).orElseThrow();
            var notices = trainer.notices(job);
            for (; shownNotices < notices.size(); shownNotices++) {
                out.print("\r\033[K");
                out.println(notices.get(shownNotices));
            }
            out.print("\r" + bar(progress));
            if (progress.status().isFinal()) {
                // The last bar is drawn too: a short run may end between two refreshes.
                out.println();
                return progress;
            }
            out.flush();
            Thread.sleep(REFRESH_MILLIS);
        }
    }

    static String bar(TrainingProgress progress) {
        double done = progress.totalSteps() == 0 ? 0 : (double) progress.step() / progress.totalSteps();
        int filled = (int) Math.round(done * WIDTH);
        String eta = progress.etaSeconds() >= 0 ? " ETA " + StatusLine.duration(progress.etaSeconds()) : "";
        String loss = Double.isNaN(progress.loss()) ? "" : String.format(Locale.ROOT, " loss %.4f", progress.loss());
        return String.format(Locale.ROOT, "%3.0f%% |%s%s| %d/%d%s %.2f it/s%s", done * 100, "#".repeat(filled),
                " ".repeat(WIDTH - filled), progress.step(), progress.totalSteps(), loss, progress.stepsPerSecond(), eta);
    }
}

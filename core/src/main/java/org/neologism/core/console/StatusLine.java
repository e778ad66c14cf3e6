package org.neologism.core.console;

import java.util.Locale;
import org.neologism.core.training.TrainingProgress;

/** One job on one line: {@code #1 <cat-toy> RUNNING 120/500 loss 0.1234 lr 5.0e-04 2.3 it/s ETA 2m45s mem 1.2 GB}. */
public final class StatusLine {

    private StatusLine() {}

    public static String of(TrainingProgress progress) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "#%d %s %s %d/%d", progress.jobId(),
                progress.trigger(), progress.status(), progress.step(), progress.totalSteps()));
        if (!Double.isNaN(progress.loss())) {
            line.append(String.format(Locale.ROOT, " loss %.4f lr %.1e", progress.loss(), progress.learningRate()));
        }
        if (progress.stepsPerSecond() > 0) {
            line.append(String.format(Locale.ROOT, " %.2f it/s", progress.stepsPerSecond()));
        }
        if (progress.etaSeconds() >= 0) {
            line.append(" ETA ").append(duration(progress.etaSeconds()));
        }
        line.append(String.format(Locale.ROOT, " mem %.1f GB", progress.memoryBytes() / 1e9));
        if (progress.waitsFor() != null) {
            line.append(" (waits for ").append(progress.waitsFor()).append(')');
        }
        if (progress.message() != null && !progress.message().isBlank()) {
            line.append(" - ").append(progress.message());
        }
        return line.toString();
    }

    /** {@code 45s}, {@code 2m45s}, {@code 1h05m}. */
    public static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a run shows of its learning as it goes: the "did it learn" report at every validation step and at
 * the end, and, with {@code --validation_prompt}, the validation images. The run calls it after each
 * step; without a validation prompt it only keeps the loss and gradient numbers (no network work).
 */
final class LearningWatch {

    /**
     * The warnings are also looked at once after this many steps, so a run that cannot learn (a trigger the prompts
     * never reach) says so in its first minute rather than at its first validation or, without one, at its end.
     */
    static final int EARLY_CHECK_STEP = 10;

    private final LearningReport report;
    private final Optional<ValidationImages> images;
    private final int reportEvery;
    private final RunObserver observer;
    private long lastShown = -1;

    /**
     * @param reportEvery steps between reports (the validation steps, or the run length without validation)
     */
    LearningWatch(LearningReport report, Optional<ValidationImages> images, int reportEvery, RunObserver observer) {
        this.report = report;
        this.images = images;
        this.reportEvery = Math.max(1, reportEvery);
        this.observer = observer;
    }

    /** @param vectors the current vectors, asked for only on a step that shows or checks them (a read-back from the device) */
    void afterStep(NDManager manager, long step, double loss, double gradientNorm, Supplier<float[]> vectors)
            throws IOException {
        report.record(step, loss, gradientNorm);
        if (step % reportEvery == 0) {
            show(manager, step, vectors.get());
        } else if (step == EARLY_CHECK_STEP) {
            report.warning(step, vectors.get()).ifPresent(observer::notice);
        }
    }

    /** At the end of a run: the report, and the images unless this step had them already. */
    void atEnd(NDManager manager, long step, float[] vectors) throws IOException {
        if (lastShown != step) {
            show(manager, step, vectors);
        }
    }

    private void show(NDManager manager, long step, float[] vectors) throws IOException {
        lastShown = step;
        observer.notice(report.summary(step, vectors));
        report.warning(step, vectors).ifPresent(observer::notice);
        if (images.isPresent()) {
            images.get().draw(manager, step, vectors);
        }
    }
}

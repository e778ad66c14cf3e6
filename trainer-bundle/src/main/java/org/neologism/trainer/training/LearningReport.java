package org.neologism.trainer.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did it learn?": how far the vectors moved from the initializer and where the loss is heading, with a
 * loud warning for the silent failures users report (an embedding that never changes, a gradient that
 * is zero — A1111 #7567, InvokeAI #2663). Pure bookkeeping on the values the run already has.
 */
final class LearningReport {

    /** Below this relative distance the vectors count as unchanged (float32 noise is ~1e-7). */
    static final double UNCHANGED = 1e-6;

    private final float[] initializer;
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> gradientNorms = new ArrayList<>();
    private long firstStep = -1;

    /** @param initializer the vectors the run started from (the initializer token's row, repeated) */
    LearningReport(float[] initializer) {
        this.initializer = initializer.clone();
    }

    void record(long step, double loss, double gradientNorm) {
        if (firstStep < 0) {
            firstStep = step;
        }
        losses.add(loss);
        gradientNorms.add(gradientNorm);
    }

    /** ‖v − v₀‖ / ‖v₀‖. */
    double relativeDistance(float[] vectors) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < vectors.length; i++) {
            double d = vectors[i] - initializer[i];
            diff += d * d;
            norm += (double) initializer[i] * initializer[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
    }

    double distance(float[] vectors) {
        double diff = 0;
        for (int i = 0; i < vectors.length; i++) {
            double d = vectors[i] - initializer[i];
            diff += d * d;
        }
        return Math.sqrt(diff);
    }

    /** The mean loss of the first and of the last tenth of the steps seen (at least one step each). */
    double[] lossTrend() {
        int n = losses.size();
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int tenth = Math.max(1, n / 10);
        return new double[] {mean(losses.subList(0, tenth)), mean(losses.subList(n - tenth, n))};
    }

    String summary(long step, float[] vectors) {
        double[] trend = lossTrend();
        String lossPart = losses.isEmpty() ? "no steps yet" : String.format(Locale.ROOT,
                "loss %.4f (mean of the first %d steps) -> %.4f (the last %d)%s", trend[0], Math.max(1, losses.size() / 10),
                trend[1], Math.max(1, losses.size() / 10), trendWord(trend));
        return String.format(Locale.ROOT, "Step %d: the vectors moved %.4g from the initializer (%.2f%% of its length); %s",
                step, distance(vectors), 100 * relativeDistance(vectors), lossPart);
    }

    /** A warning when the embedding did not change or the gradient was zero over the last steps. */
    Optional<String> warning(long step, float[] vectors) {
        int window = Math.min(gradientNorms.size(), 10);
        boolean zeroGradient = window > 0
                && gradientNorms.subList(gradientNorms.size() - window, gradientNorms.size()).stream().allMatch(g -> g == 0);
        if (zeroGradient) {
            return Optional.of("WARNING: the gradient of the embedding has been zero for the last " + window + " steps (at"
                    + " step " + step + "): training cannot change it. Check that the trigger appears in the prompts"
                    + " (the captions or templates) and that it is a new token, not one the tokenizer already knows.");
        }
        if (!losses.isEmpty() && relativeDistance(vectors) < UNCHANGED) {
            return Optional.of("WARNING: after " + losses.size() + " steps the embedding has not changed from its"
                    + " initializer (step " + step + "): nothing is being learned. Check --learning_rate and that the"
                    + " trigger appears in the training prompts.");
        }
        return Optional.empty();
    }

    private static String trendWord(double[] trend) {
        if (!(trend[0] > 0)) {
            return "";
        }
        double change = (trend[1] - trend[0]) / trend[0];
        return String.format(Locale.ROOT, " (%+.1f%%)", 100 * change);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}

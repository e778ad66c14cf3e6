package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.sampling.Sampler;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.generation.PromptEncoder;
import org.neologism.trainer.generation.TextToImage;

/**
 * diffusers' {@code --validation_prompt}: every {@code validation_steps} steps (and at the end) draws
 * {@code num_validation_images} images of the prompt with the vectors as they are, with DPM++ 2M in 25
 * steps and the pipeline's default guidance (7.5, SDXL 5.0) and no negative prompt as the scripts do, into {@code <output_dir>/validation/step-N-i.png} plus a contact sheet
 * {@code step-N-grid.png}. Image i always starts from the noise of {@code seed + i}, so the images of
 * successive steps differ only by what was learned; the noise is drawn in Java, never from the training's
 * random stream, so a run with validation trains exactly as one without.
 */
final class ValidationImages {

    static final String SAMPLER = "dpmpp_2m";
    static final int STEPS = 25;

    /** The three options as diffusers names them; {@code prompt} null means no validation at all. */
    record Settings(String prompt, int numImages, int everySteps) {
        Settings {
            if (prompt != null && numImages < 1) {
                throw new IllegalArgumentException("--num_validation_images must be at least 1, not " + numImages);
            }
            if (prompt != null && everySteps < 1) {
                throw new IllegalArgumentException("--validation_steps must be at least 1, not " + everySteps);
            }
        }

        boolean enabled() {
            return prompt != null && !prompt.isBlank();
        }
    }

    private final Settings settings;
    private final ImageGenerator generator;
    private final Sampler sampler;
    private final String trigger;
    private final int vectorCount;
    private final int width;
    private final long seed;
    private final Path folder;
    private final RunObserver observer;

    ValidationImages(Settings settings, ImageGenerator generator, Sampler sampler, String trigger, int vectorCount,
                     int width, long seed, Path outputDir, RunObserver observer) {
        this.settings = settings;
        this.generator = generator;
        this.sampler = sampler;
        this.trigger = trigger;
        this.vectorCount = vectorCount;
        this.width = width;
        this.seed = seed;
        this.folder = outputDir.resolve("validation");
        this.observer = observer;
    }

    boolean due(long step) {
        return step % settings.everySteps() == 0;
    }

    /**
     * The vectors as the embedding they are: one for SD 1.x/2.x; for SDXL, whose rows hold both encoders' slices
     * side by side, its clip_l and clip_g halves.
     */
    private List<Embedding> current(float[] vectors) {
        int[] widths = generator.tokenWidths();
        if (widths.length == 1) {
            return List.of(new Embedding(trigger, new int[] {vectorCount, width}, vectors.clone(), "training"));
        }
        List<float[]> blocks = new VectorRows(widths).split(vectors);
        List<Embedding> halves = new java.util.ArrayList<>();
        for (int e = 0; e < widths.length; e++) {
            halves.add(new Embedding(trigger, new int[] {vectorCount, widths[e]}, blocks.get(e), "training",
                    org.neologism.core.embedding.Embedding.SDXL_ENCODERS.get(e)));
        }
        return halves;
    }

    /** Draws and writes the images of {@code step}; returns the files, the contact sheet last. */
    List<Path> draw(NDManager manager, long step, float[] vectors) throws IOException {
        long started = System.nanoTime();
        TextToImage.Settings request = new TextToImage.Settings(settings.prompt(), null, STEPS,
                generator.defaultGuidanceScale(), 0, 0, seed, settings.numImages());
        List<ImageGenerator.Image> images = TextToImage.run(manager, generator, sampler, current(vectors), request,
                (image, k, total) -> { });
        List<Path> files = TextToImage.write(images, folder, "step-" + step, true);
        observer.notice(String.format(java.util.Locale.ROOT, "Validation images of step %d (\"%s\", %s, %d steps, %.1f s): %s",
                step, settings.prompt(), sampler.label(), STEPS, (System.nanoTime() - started) / 1e9,
                files.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("")));
        return files;
    }
}

package org.neologism.trainer.generation;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplingPlan;

/**
 * One text-to-image call as a user makes it: the prompt (with embeddings by trigger) and the negative
 * prompt encoded once, then {@code numImages} images, image i from the noise of {@code seed + i}, each in its
 * own NDManager scope so memory stays flat over many images.
 */
public final class TextToImage {

    /**
     * @param negativePrompt null or blank for none (diffusers' {@code negative_prompt=None}: SD encodes "", SDXL
     *                       zeroes the negative conditioning when its model says {@code force_zeros_for_empty_prompt})
     * @param height         pixels; 0 for the model's own size
     * @param width          pixels; 0 for the model's own size
     */
    public record Settings(String prompt, String negativePrompt, int steps, double guidanceScale, int height, int width,
                           long seed, int numImages) {

        public Settings {
            if (prompt == null || prompt.isBlank()) {
                throw new IllegalArgumentException("--prompt is required: what to draw, e.g. \"a photo of <cat-toy> on a beach\"");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be at least 1, not " + steps);
            }
            if (numImages < 1) {
                throw new IllegalArgumentException("--num_images must be at least 1, not " + numImages);
            }
            negativePrompt = negativePrompt == null || negativePrompt.isBlank() ? null : negativePrompt;
        }
    }

    /** Reports each finished denoising step. */
    @FunctionalInterface
    public interface Progress {
        void step(int image, int step, int stepsPerImage);
    }

    private TextToImage() {}

    public static List<ImageGenerator.Image> run(NDManager manager, ImageGenerator generator, Sampler sampler,
                                                 List<Embedding> embeddings, Settings settings, Progress progress)
            throws IOException {
        int height = settings.height() > 0 ? settings.height() : generator.defaultSize();
        int width = settings.width() > 0 ? settings.width() : generator.defaultSize();
        generator.latentShape(height, width);
        SamplingPlan plan = sampler.plan(generator.schedulerValues(), settings.steps());
        PromptEncoder encoder = generator.promptEncoder(embeddings);
        Guidance guidance = new Guidance(settings.guidanceScale(), 0);
        EncodedPrompt prompt = generator.encode(manager, encoder, settings.prompt());
        EncodedPrompt negative = guidance.enabled()
                ? generator.encodeNegative(manager, encoder, settings.negativePrompt(), prompt) : null;
        ImageGenerator.Request request = new ImageGenerator.Request(plan, prompt, negative, guidance, height, width);
        List<ImageGenerator.Image> images = new ArrayList<>();
        for (int i = 0; i < settings.numImages(); i++) {
            int image = i;
            try (NDManager scope = manager.newSubManager()) {
                images.add(generator.generate(scope, request, NoiseSource.seeded(settings.seed() + i),
                        (k, total, tensors) -> progress.step(image, k + 1, total)));
            }
        }
        return images;
    }

    /**
     * Writes {@code <prefix>-<i>.png} per image and, for more than one, {@code <prefix>-grid.png}.
     *
     * @return the files written, the grid last
     */
    public static List<Path> write(List<ImageGenerator.Image> images, Path folder, String prefix) throws IOException {
        return write(images, folder, prefix, false);
    }

    /** As above; with {@code alwaysGrid} the grid (a contact sheet) is written for a single image too. */
    public static List<Path> write(List<ImageGenerator.Image> images, Path folder, String prefix, boolean alwaysGrid)
            throws IOException {
        List<Path> files = new ArrayList<>();
        List<BufferedImage> pictures = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage picture = images.get(i).toBufferedImage();
            pictures.add(picture);
            Path file = folder.resolve(prefix + "-" + i + ".png");
            PixelConversion.writePng(picture, file);
            files.add(file);
        }
        if (images.size() > 1 || alwaysGrid) {
            Path grid = folder.resolve(prefix + "-grid.png");
            PixelConversion.writePng(PixelConversion.grid(pictures, columns(images.size())), grid);
            files.add(grid);
        }
        return files;
    }

    /** Columns of a near-square grid. */
    static int columns(int count) {
        return (int) Math.ceil(Math.sqrt(count));
    }
}

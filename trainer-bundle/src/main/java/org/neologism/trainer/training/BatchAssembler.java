package org.neologism.trainer.training;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.dataset.PromptTemplates;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.tokenizer.ClipTokenizer;

/**
 * Builds each micro-batch from the run's draws: the prompt ids of the sample's caption or template
 * (tokenised once per tokenizer, there are only a few dozen), the cached posterior of the drawn image and
 * flip, fresh eps and noise, and for SDXL the image's {@code add_time_ids}. A run takes its tables of ids
 * and time ids to the device ({@link DeviceBatches}); {@link #batch} is the same batch on host arrays with
 * the noise drawn in Java, the reference form.
 */
final class BatchAssembler {

    private final TrainingRandom random;
    private final LatentCache latents;
    private final TrainingDataset dataset;
    private final boolean timeIds;
    /** Per tokenizer: the ids of each template, and of each image's caption (null without one). */
    private final List<List<long[]>> templateIds = new ArrayList<>();
    private final List<List<long[]>> captionIds = new ArrayList<>();

    /**
     * @param tokenizers      one per text encoder, each with the placeholder tokens added
     * @param expandedTrigger the trigger as prompts carry it: {@code P P_1 … P_{n-1}} for n vectors
     * @param timeIds         whether the UNet takes SDXL's added time ids
     */
    BatchAssembler(TrainingRandom random, LatentCache latents, TrainingDataset dataset, PromptTemplates templates,
                   List<ClipTokenizer> tokenizers, String expandedTrigger, boolean timeIds) {
        this.random = random;
        this.latents = latents;
        this.dataset = dataset;
        this.timeIds = timeIds;
        for (ClipTokenizer tokenizer : tokenizers) {
            List<long[]> templatesOfTokenizer = new ArrayList<>();
            for (int i = 0; i < templates.size(); i++) {
                templatesOfTokenizer.add(ids(tokenizer, templates.prompt(i, expandedTrigger)));
            }
            templateIds.add(templatesOfTokenizer);
            List<long[]> captions = new ArrayList<>();
            for (TrainingImage image : dataset.images()) {
                captions.add(image.caption().map(caption -> ids(tokenizer, caption)).orElse(null));
            }
            captionIds.add(captions);
        }
    }

    /** The micro-batch of {@code size} samples starting at the run's sample number {@code firstSample}. */
    TextualInversionStep.Batch batch(long firstSample, int size) {
        LatentCache.Posterior first = latents.get(0, false);
        int latentSize = first.mean().length;
        int idLength = templateIds.get(0).get(0).length;
        List<long[]> ids = new ArrayList<>();
        for (int t = 0; t < templateIds.size(); t++) {
            ids.add(new long[size * idLength]);
        }
        long[] timesteps = new long[size];
        float[] mean = new float[size * latentSize];
        float[] std = new float[size * latentSize];
        float[] eps = new float[size * latentSize];
        float[] noise = new float[size * latentSize];
        float[] addTimeIds = timeIds ? new float[size * 6] : null;
        for (int j = 0; j < size; j++) {
            long sample = firstSample + j;
            TrainingRandom.Draw draw = random.draw(sample);
            for (int t = 0; t < ids.size(); t++) {
                long[] caption = captionIds.get(t).get(draw.image());
                long[] prompt = caption != null ? caption : templateIds.get(t).get(draw.template());
                System.arraycopy(prompt, 0, ids.get(t), j * idLength, idLength);
            }
            timesteps[j] = draw.timestep();
            LatentCache.Posterior posterior = latents.get(draw.image(), draw.flip());
            System.arraycopy(posterior.mean(), 0, mean, j * latentSize, latentSize);
            System.arraycopy(posterior.std(), 0, std, j * latentSize, latentSize);
            System.arraycopy(random.posteriorEps(sample, latentSize), 0, eps, j * latentSize, latentSize);
            System.arraycopy(random.noise(sample, latentSize), 0, noise, j * latentSize, latentSize);
            if (addTimeIds != null) {
                System.arraycopy(sdxlTimeIds(dataset.images().get(draw.image())), 0, addTimeIds, j * 6, 6);
            }
        }
        return new TextualInversionStep.Batch(ids.get(0), timesteps, mean, std, eps, noise, first.shape(),
                ids.size() > 1 ? ids.get(1) : null, addTimeIds);
    }

    /**
     * diffusers' SDXL script: {@code original_size + crop_top_left + (R, R)}. It resizes the whole image to
     * R×R before its (then no-op) crop, so the crop corner is always (0, 0).
     */
    static float[] sdxlTimeIds(TrainingImage image) {
        int side = image.resolution();
        return new float[] {image.originalHeight(), image.originalWidth(), 0, 0, side, side};
    }

    /** Per tokenizer (in pipeline order), every template's ids. */
    List<List<long[]>> templateIds() {
        return templateIds;
    }

    /** Per tokenizer, per image, its caption's ids, or null when the image has no caption. */
    List<List<long[]>> captionIds() {
        return captionIds;
    }

    /** Per image its {@code add_time_ids}, or null when the UNet takes none. */
    float[][] timeIds() {
        if (!timeIds) {
            return null;
        }
        float[][] perImage = new float[dataset.images().size()][];
        for (int i = 0; i < perImage.length; i++) {
            perImage[i] = sdxlTimeIds(dataset.images().get(i));
        }
        return perImage;
    }

    private static long[] ids(ClipTokenizer tokenizer, String prompt) {
        int[] padded = tokenizer.encodePadded(prompt);
        long[] ids = new long[padded.length];
        for (int i = 0; i < padded.length; i++) {
            ids[i] = padded[i];
        }
        return ids;
    }
}

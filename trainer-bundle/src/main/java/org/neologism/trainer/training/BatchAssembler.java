package org.neologism.trainer.training;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.dataset.PromptTemplates;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.tokenizer.ClipTokenizer;

/**
 * Builds each micro-batch from the run's draws: the prompt ids of the sample's caption or template
 * (tokenised once, there are only a few dozen), the cached posterior of the drawn image and flip, and
 * fresh eps and noise.
 */
final class BatchAssembler {

    private final TrainingRandom random;
    private final LatentCache latents;
    private final List<long[]> templateIds = new ArrayList<>();
    private final List<long[]> captionIds = new ArrayList<>();

    /**
     * @param expandedTrigger the trigger as prompts carry it: {@code P P_1 … P_{n-1}} for n vectors
     */
    BatchAssembler(TrainingRandom random, LatentCache latents, TrainingDataset dataset, PromptTemplates templates,
                   ClipTokenizer tokenizer, String expandedTrigger) {
        this.random = random;
        this.latents = latents;
        for (int i = 0; i < templates.size(); i++) {
            templateIds.add(ids(tokenizer, templates.prompt(i, expandedTrigger)));
        }
        for (TrainingImage image : dataset.images()) {
            captionIds.add(image.caption().map(caption -> ids(tokenizer, caption)).orElse(null));
        }
    }

    /** The micro-batch of {@code size} samples starting at the run's sample number {@code firstSample}. */
    TextualInversionStep.Batch batch(long firstSample, int size) {
        LatentCache.Posterior first = latents.get(0, false);
        int latentSize = first.mean().length;
        int idLength = templateIds.get(0).length;
        long[] ids = new long[size * idLength];
        long[] timesteps = new long[size];
        float[] mean = new float[size * latentSize];
        float[] std = new float[size * latentSize];
        float[] eps = new float[size * latentSize];
        float[] noise = new float[size * latentSize];
        for (int j = 0; j < size; j++) {
            long sample = firstSample + j;
            TrainingRandom.Draw draw = random.draw(sample);
            long[] prompt = captionIds.get(draw.image()) != null ? captionIds.get(draw.image()) : templateIds.get(draw.template());
            System.arraycopy(prompt, 0, ids, j * idLength, idLength);
            timesteps[j] = draw.timestep();
            LatentCache.Posterior posterior = latents.get(draw.image(), draw.flip());
            System.arraycopy(posterior.mean(), 0, mean, j * latentSize, latentSize);
            System.arraycopy(posterior.std(), 0, std, j * latentSize, latentSize);
            System.arraycopy(random.posteriorEps(sample, latentSize), 0, eps, j * latentSize, latentSize);
            System.arraycopy(random.noise(sample, latentSize), 0, noise, j * latentSize, latentSize);
        }
        return new TextualInversionStep.Batch(ids, timesteps, mean, std, eps, noise, first.shape());
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

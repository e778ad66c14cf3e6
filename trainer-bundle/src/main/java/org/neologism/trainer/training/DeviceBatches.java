package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.dataset.PromptTemplates;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.trainer.model.ddpm.DdpmSchedule;

/**
 * Builds each micro-batch on the device from tensors made once per run: the latent cache as one tensor
 * of every image's posterior both ways round, the prompt ids of every template and caption, the
 * schedule's √ᾱ and √(1-ᾱ) per timestep and the timesteps themselves. A sample's draws (image, flip,
 * template, timestep) select rows of those by index, which costs no copy from the host; its eps and noise
 * are drawn on the device from libtorch's generator, seeded per sample from the run's seed, so a run
 * resumed at step N draws exactly what the uninterrupted run drew and the generator's state is the
 * checkpoint's seed and step.
 */
final class DeviceBatches implements AutoCloseable {

    private static final long EPS_STREAM = 0x455053L;
    private static final long NOISE_STREAM = 0x4e4f495345L;

    private final TrainingRandom random;
    private final NDManager constants;
    private final NDArray means;
    private final NDArray stds;
    private final NDArray templateIds;
    private final NDArray captionIds;
    private final boolean[] captioned;
    private final NDArray sqrtAlphaProd;
    private final NDArray sqrtOneMinusAlphaProd;
    private final NDArray timesteps;
    private final long[] latentShape;

    /**
     * @param expandedTrigger the trigger as prompts carry it: {@code P P_1 … P_{n-1}} for n vectors
     */
    DeviceBatches(TrainingRandom random, LatentCache latents, TrainingDataset dataset, PromptTemplates templates,
                  ClipTokenizer tokenizer, String expandedTrigger, DdpmSchedule schedule, NDManager parent) {
        this(random, latents, templateIds(templates, tokenizer, expandedTrigger), captionIds(dataset, tokenizer), schedule,
                parent);
    }

    private static List<long[]> templateIds(PromptTemplates templates, ClipTokenizer tokenizer, String expandedTrigger) {
        List<long[]> prompts = new ArrayList<>();
        for (int i = 0; i < templates.size(); i++) {
            prompts.add(ids(tokenizer, templates.prompt(i, expandedTrigger)));
        }
        return prompts;
    }

    private static List<long[]> captionIds(TrainingDataset dataset, ClipTokenizer tokenizer) {
        List<long[]> captions = new ArrayList<>();
        for (TrainingImage image : dataset.images()) {
            captions.add(image.caption().map(caption -> ids(tokenizer, caption)).orElse(null));
        }
        return captions;
    }

    /**
     * @param prompts  every template's ids
     * @param captions per image, its caption's ids, or null to use the drawn template
     */
    DeviceBatches(TrainingRandom random, LatentCache latents, List<long[]> prompts, List<long[]> captions,
                  DdpmSchedule schedule, NDManager parent) {
        this.random = random;
        this.constants = parent.newSubManager();
        LatentCache.Posterior first = latents.get(0, false);
        this.latentShape = first.shape();
        int latentSize = first.mean().length;
        int rows = 2 * latents.imageCount();
        float[] mean = new float[rows * latentSize];
        float[] std = new float[rows * latentSize];
        for (int image = 0; image < latents.imageCount(); image++) {
            for (int flip = 0; flip < 2; flip++) {
                LatentCache.Posterior posterior = latents.get(image, flip == 1);
                System.arraycopy(posterior.mean(), 0, mean, (2 * image + flip) * latentSize, latentSize);
                System.arraycopy(posterior.std(), 0, std, (2 * image + flip) * latentSize, latentSize);
            }
        }
        Shape cacheShape = new Shape(rows, latentShape[0], latentShape[1], latentShape[2]);
        this.means = constants.create(mean, cacheShape);
        this.stds = constants.create(std, cacheShape);

        this.templateIds = stack(prompts);
        this.captioned = new boolean[captions.size()];
        List<long[]> captionRows = new ArrayList<>();
        for (int i = 0; i < captions.size(); i++) {
            captioned[i] = captions.get(i) != null;
            captionRows.add(captioned[i] ? captions.get(i) : prompts.get(0));
        }
        this.captionIds = stack(captionRows);

        long[] all = new long[schedule.numTrainTimesteps()];
        for (int t = 0; t < all.length; t++) {
            all[t] = t;
        }
        this.sqrtAlphaProd = constants.create(schedule.sqrtAlphaProd(all));
        this.sqrtOneMinusAlphaProd = constants.create(schedule.sqrtOneMinusAlphaProd(all));
        this.timesteps = constants.create(all);
    }

    private NDArray stack(List<long[]> rows) {
        int length = rows.get(0).length;
        long[] flat = new long[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * length, length);
        }
        return constants.create(flat, new Shape(rows.size(), length));
    }

    /** The micro-batch of {@code size} samples starting at the run's sample number {@code firstSample}, in {@code step}. */
    TextualInversionStep.DeviceBatch batch(NDManager step, long firstSample, int size) {
        NDList ids = new NDList(size);
        NDList t = new NDList(size);
        NDList a = new NDList(size);
        NDList b = new NDList(size);
        NDList mean = new NDList(size);
        NDList std = new NDList(size);
        NDList eps = new NDList(size);
        NDList noise = new NDList(size);
        Shape latent = new Shape(latentShape);
        for (int j = 0; j < size; j++) {
            long sample = firstSample + j;
            TrainingRandom.Draw draw = random.draw(sample);
            ids.add(captioned[draw.image()] ? captionIds.get(step, draw.image()) : templateIds.get(step, draw.template()));
            t.add(timesteps.get(step, draw.timestep()));
            a.add(sqrtAlphaProd.get(step, draw.timestep()));
            b.add(sqrtOneMinusAlphaProd.get(step, draw.timestep()));
            long row = 2L * draw.image() + (draw.flip() ? 1 : 0);
            mean.add(means.get(step, row));
            std.add(stds.get(step, row));
            JniUtils.setSeed(random.streamSeed(EPS_STREAM, sample));
            eps.add(step.randomNormal(0, 1, latent, DataType.FLOAT32));
            JniUtils.setSeed(random.streamSeed(NOISE_STREAM, sample));
            noise.add(step.randomNormal(0, 1, latent, DataType.FLOAT32));
        }
        Shape perSample = new Shape(size, 1, 1, 1);
        // One text encoder (SD 1.x/2.x): SDXL's second ids and time ids are not assembled here yet.
        return new TextualInversionStep.DeviceBatch(List.of(NDArrays.stack(ids)), NDArrays.stack(t),
                NDArrays.stack(a).reshape(perSample), NDArrays.stack(b).reshape(perSample), NDArrays.stack(mean),
                NDArrays.stack(std), NDArrays.stack(eps), NDArrays.stack(noise), null);
    }

    private static long[] ids(ClipTokenizer tokenizer, String prompt) {
        int[] padded = tokenizer.encodePadded(prompt);
        long[] ids = new long[padded.length];
        for (int i = 0; i < padded.length; i++) {
            ids[i] = padded[i];
        }
        return ids;
    }

    @Override
    public void close() {
        constants.close();
    }
}

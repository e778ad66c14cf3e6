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
import org.neologism.trainer.model.ddpm.DdpmSchedule;

/**
 * Builds each micro-batch on the device from tensors made once per run: the latent cache as one tensor
 * of every image's posterior both ways round, the prompt ids of every template and caption (per text
 * encoder), SDXL's {@code add_time_ids} per image, the schedule's √ᾱ and √(1-ᾱ) per timestep and the timesteps themselves. A sample's draws (image, flip,
 * template, timestep) select rows of those by index, which costs no copy from the host; its eps and noise
 * are drawn on the device from libtorch's generator, seeded per sample from the run's seed, so a run
 * resumed at step N draws exactly what the uninterrupted run drew and the generator's state is the
 * checkpoint's seed and step.
 */
final class DeviceBatches implements DeviceTraining.Batches {

    private static final long EPS_STREAM = 0x455053L;
    private static final long NOISE_STREAM = 0x4e4f495345L;

    private final TrainingRandom random;
    private final NDManager constants;
    private final NDArray means;
    private final NDArray stds;
    /** Per text encoder: every template's ids, and per image its caption's (or the first template's) ids. */
    private final List<NDArray> templateIds = new ArrayList<>();
    private final List<NDArray> captionIds = new ArrayList<>();
    private final boolean[] captioned;
    /** SDXL: per image its {@code add_time_ids}; else null. */
    private final NDArray timeIds;
    private final NDArray sqrtAlphaProd;
    private final NDArray sqrtOneMinusAlphaProd;
    private final NDArray timesteps;
    private final long[] latentShape;

    /** The tables of {@code assembler} (ids per tokenizer, time ids per image) taken to the device. */
    DeviceBatches(TrainingRandom random, LatentCache latents, BatchAssembler assembler, DdpmSchedule schedule,
                  NDManager parent) {
        this(random, latents, assembler.templateIds(), assembler.captionIds(), assembler.timeIds(), schedule, parent);
    }

    /**
     * @param prompts  per text encoder, every template's ids
     * @param captions per text encoder, per image its caption's ids, or null to use the drawn template
     * @param timeIds  SDXL: per image its {@code add_time_ids}; null for a UNet without added conditions
     */
    DeviceBatches(TrainingRandom random, LatentCache latents, List<List<long[]>> prompts, List<List<long[]>> captions,
                  float[][] timeIds, DdpmSchedule schedule, NDManager parent) {
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

        this.captioned = new boolean[captions.get(0).size()];
        for (int i = 0; i < captioned.length; i++) {
            captioned[i] = captions.get(0).get(i) != null;
        }
        for (int encoder = 0; encoder < prompts.size(); encoder++) {
            templateIds.add(stack(prompts.get(encoder)));
            List<long[]> captionRows = new ArrayList<>();
            for (int i = 0; i < captioned.length; i++) {
                captionRows.add(captioned[i] ? captions.get(encoder).get(i) : prompts.get(encoder).get(0));
            }
            captionIds.add(stack(captionRows));
        }
        if (timeIds != null) {
            float[] flat = new float[timeIds.length * 6];
            for (int i = 0; i < timeIds.length; i++) {
                System.arraycopy(timeIds[i], 0, flat, i * 6, 6);
            }
            this.timeIds = constants.create(flat, new Shape(timeIds.length, 6));
        } else {
            this.timeIds = null;
        }

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
    @Override
    public TextualInversionStep.DeviceBatch batch(NDManager step, long firstSample, int size) {
        List<NDList> ids = new ArrayList<>();
        for (int encoder = 0; encoder < templateIds.size(); encoder++) {
            ids.add(new NDList(size));
        }
        NDList addTimeIds = new NDList(size);
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
            for (int encoder = 0; encoder < ids.size(); encoder++) {
                ids.get(encoder).add(captioned[draw.image()] ? captionIds.get(encoder).get(step, draw.image())
                        : templateIds.get(encoder).get(step, draw.template()));
            }
            if (timeIds != null) {
                addTimeIds.add(timeIds.get(step, draw.image()));
            }
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
        List<NDArray> idsPerEncoder = new ArrayList<>();
        for (NDList encoderIds : ids) {
            idsPerEncoder.add(NDArrays.stack(encoderIds));
        }
        return new TextualInversionStep.DeviceBatch(idsPerEncoder, NDArrays.stack(t),
                NDArrays.stack(a).reshape(perSample), NDArrays.stack(b).reshape(perSample), NDArrays.stack(mean),
                NDArrays.stack(std), NDArrays.stack(eps), NDArrays.stack(noise),
                timeIds != null ? NDArrays.stack(addTimeIds) : null);
    }

    @Override
    public void close() {
        constants.close();
    }
}

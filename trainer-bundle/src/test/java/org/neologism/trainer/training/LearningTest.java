package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.dataset.DatasetOptions;
import org.neologism.core.dataset.PromptTemplates;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.internal.dataset.FolderDatasetLoader;
import org.neologism.core.root.RootFolder;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.training.DeviceChoice;
import org.neologism.core.training.MixedPrecision;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.schedulers.sampling.DpmppTwoMSampler;
import org.neologism.testsupport.ModelVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.generation.PromptEncoder;
import org.neologism.trainer.generation.TextToImage;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * Training really learns: images drawn by the product's generator with a planted embedding e* teach a new trigger,
 * started from another initializer, something close to e*. On a tiny fixture model taught to draw e*'s picture from
 * e* (and pictures ever further from it for vectors ever further from e*'s direction: {@link TaughtModel}), a few
 * images of e* are generated (DPM++ 2M, the product's pipeline, written as PNG), a whole run trains
 * {@code <learned>} on them from the default initializer through {@link TextualInversionRun}'s public entry, and:
 * <ul>
 * <li>(a) the learned vector's direction ends closer to e*'s than the initializer's was (larger cosine; the L2
 *     distance and the lengths are printed). The direction is what the images can tell: the text encoder adds the
 *     token's vector to its position's and normalises the sum (CLIP's first LayerNorm), so the loss barely depends
 *     on the vector's length, and AdamW's steps, nearly at right angles to a vector whose loss ignores its length,
 *     lengthen it (measured: 0.110 -> 0.14-0.17). With e* twice the initializer's length L2 fell too, in every
 *     recorded run on both fixtures, but a vector that grows longer while it turns toward e* can end further away;</li>
 * <li>(b) on a fixed evaluation set (each training image's posterior mean at fixed timesteps spread over the
 *     schedule, fixed noise, the templates' prompts) the denoising loss with the learned vector closes at least
 *     half of the gap between the initializer's loss and e*'s.</li>
 * </ul>
 * Before either, the evaluation set must tell e* from the initializer (lower loss with e*): the images are the
 * taught model's samples for e*, and where they came out nearer the initializer's picture than e*'s, no training
 * could show anything.
 */
class LearningTest {

    private static final String PLANTED = "<planted>";
    private static final String LEARNED = "<learned>";
    private static final int IMAGES = 8;
    /**
     * Latents of 8×8, whatever the model's VAE: the fewer latent values, the longer the noise hides which picture a
     * latent came from. At 4×4 (tiny-sd1 at 8 px, the tiny SD 2 fixture, whose VAE scales by 4, at 16 px) the UNet
     * had not begun to read the text after 400 teaching steps (the probe's ratio 0.8-1.0).
     */
    private static final int LATENT_SIDE = 8;
    private static final int SAMPLING_STEPS = 20;
    /**
     * No classifier-free guidance: guided images follow ε_u + w·(ε_c − ε_u), which no single conditioning explains,
     * and the vector that fits them best lies beyond e* (a first run with 7.5 and lr 5e-3 ended 4× farther away with a
     * lower loss than e*'s). At guidance 1 the images are the model's own for e*.
     */
    private static final double GUIDANCE = 1.0;
    private static final int TRAIN_STEPS = 200;
    private static final int BATCH = 4;
    /**
     * AdamW moves each element by up to about the learning rate per step; the rate is set so that the run's steps
     * could cover the root-mean-square distance of an element to e* this many times.
     */
    private static final double REACH = 3;
    private static final int EVALUATION_TIMESTEPS = 16;
    private static final int EVALUATION_NOISES = 4;
    private static final long SEED = Long.getLong("neologism.learning.seed", 20240601L);
    private static final int THREADS = 2;
    private static final double PLANTED_LENGTH = 2;
    /**
     * e*'s picture: warm horizontal stripes; the far picture, drawn by directions {@link #SPAN} right angles from
     * e*'s: cool vertical ones; in between, the blend in proportion. Colour and orientation both differ, so where a
     * picture lies on the way is plain at every noise level. (With plain colours instead of stripes, the UNet began
     * to read the text after 350 teaching steps instead of 200.)
     */
    private static final TaughtModel.StripedConcept PLANTED_CONCEPT = new TaughtModel.StripedConcept(true,
            new float[] {0.95f, 0.55f, 0.1f}, new float[] {0.35f, 0.05f, 0.05f}, 2);
    private static final TaughtModel.StripedConcept FAR_CONCEPT = new TaughtModel.StripedConcept(false,
            new float[] {0.1f, 0.6f, 0.95f}, new float[] {0.05f, 0.05f, 0.3f}, 2);
    /**
     * The taught neighbourhood of e*: this many vectors in random directions around e*'s, each prompting a picture
     * that turns from e*'s into the other concept's as the direction turns away from e*'s, out to {@link #SPAN}
     * right angles (the initializer, at one right angle, draws a picture two thirds of the way). Taught only e* and a
     * few other concepts, the UNet told them apart and nothing more: any vector away from the others drew e*'s
     * picture, so training stopped wherever it first left the initializer's side, nearer e* or not (L2 grew on 2 of
     * 3 seeds, cosine 0.09 and -0.14). Taught how far a direction is from e*'s, the UNet's loss falls all the way.
     */
    private static final int NEIGHBOURHOOD = 256;
    private static final double SPAN = 1.5;
    /** Every this-many-th vector of the neighbourhood is e* itself, so e*'s own picture is taught often. */
    private static final int CENTRE_EVERY = 8;
    private static final TaughtModel.Lesson LESSON = new TaughtModel.Lesson(60, 8, 400, 24, 1e-3);

    @TempDir
    Path work;

    @Test
    void aTriggerTrainedOnImagesOfAPlantedEmbeddingMovesTowardItAndDenoisesNearlyAsWell() throws Exception {
        long started = System.nanoTime();
        ModelVariant variant = WholeRuns.generatableModel();
        DiffusersFolder fixture = DiffusersFolder.open(variant.folder(), WeightFiles.OPENER);
        RootFolder root = new RootFolder(work.resolve("root")).createLayout();
        Path images = Files.createDirectories(work.resolve("images"));
        PromptTemplates templates = PromptTemplates.forProperty(TrainingRequest.defaults(LEARNED).learnableProperty().flag());
        String initializerWord = TrainingRequest.defaults(LEARNED).initializerToken();
        TorchEngine torch = new TorchEngine();
        // Both cores: a teaching step took 0.41 s on one thread and 0.26 s on two (16 px, batch 24, idle machine).
        torch.useIntraOpThreads(THREADS);
        JniUtils.setGradMode(false);
        float[] initializer;
        try (NDManager manager = torch.newManager()) {
            int initializerId = InitializerToken.idOf(fixture.tokenizer(), initializerWord);
            initializer = fixture.loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE)
                    .tokenEmbeddingRow(manager, initializerId).toFloatArray();
        }
        float[] planted = plantedVector(initializer, new Random(SEED));
        Embedding plantedEmbedding = new Embedding(PLANTED, new int[] {1, planted.length}, planted, "test");
        double learningRate = REACH * distance(initializer, planted) / Math.sqrt(planted.length) / TRAIN_STEPS;
        int resolution = LATENT_SIDE * fixture.vaeConfig().scaleFactor();
        float[] plantedPicture = PLANTED_CONCEPT.picture(resolution, 0);
        float[] farPicture = FAR_CONCEPT.picture(resolution, 0);
        List<TaughtModel.Example> neighbourhood = neighbourhood(plantedPicture, farPicture, planted, SPAN * Math.PI / 2,
                templates, new Random(SEED + 3));
        TaughtModel.Probe probe = new TaughtModel.Probe(
                new TaughtModel.Example(templates.prompt(0, PLANTED), List.of(plantedEmbedding), plantedPicture),
                new TaughtModel.Example(templates.prompt(0, PLANTED), List.of(new Embedding(PLANTED,
                        new int[] {1, initializer.length}, initializer, "test")), farPicture),
                drawingPrompts(templates));
        Path taught = new TaughtModel(fixture, resolution, LESSON, SEED, System.out::println)
                .teach(neighbourhood, probe, work.resolve("taught"));
        double prepared = seconds(started);
        DiffusersFolder model = DiffusersFolder.open(taught, WeightFiles.OPENER);
        try (NDManager manager = torch.newManager();
             KernelChoice kernels = KernelChoice.of(true, false, manager, System.out::println)) {
            TextConditioner text = model.loadTextConditioner(manager, DataType.FLOAT32, kernels.kernels());
            UNet2DCondition unet = model.loadUNet(manager, DataType.FLOAT32, kernels.kernels());
            AutoencoderKL vae = model.loadVae(manager, DataType.FLOAT32, kernels.kernels());
            ImageGenerator generator = new ImageGenerator(model, text, unet, vae);

            // The training images: e*'s pictures for the templates' prompts, each from its own noise.
            Sampler sampler = new DpmppTwoMSampler();
            List<String> prompts = drawingPrompts(templates);
            for (int i = 0; i < IMAGES; i++) {
                TextToImage.Settings drawing = new TextToImage.Settings(prompts.get(i), "", SAMPLING_STEPS,
                        GUIDANCE, resolution, resolution, SEED + i, 1);
                TextToImage.write(TextToImage.run(manager, generator, sampler, List.of(plantedEmbedding), drawing,
                        (image, step, total) -> { }), images, "planted-" + i);
                System.out.printf(Locale.ROOT, "  image %d drawn at %.1f s%n", i, seconds(started));
            }
            double generated = seconds(started);

            TrainingRequest request = TrainingRequest.builder(LEARNED).model(taught.toString()).root(root.path())
                    .trainDataDir(images).outputDir(work.resolve("output")).resolution(resolution)
                    .trainBatchSize(BATCH).gradientAccumulationSteps(1).maxTrainSteps(TRAIN_STEPS)
                    .learningRate(learningRate).scaleLr(false).lrScheduler("constant").lrWarmupSteps(0)
                    .mixedPrecision(MixedPrecision.NO).seed(SEED).device(DeviceChoice.CPU).cpuThreads(THREADS)
                    .saveSteps(TRAIN_STEPS).checkpointingSteps(TRAIN_STEPS).build();
            WholeRuns.Outcome outcome;
            try (WholeRuns runs = WholeRuns.start(torch, work.resolve("framework"))) {
                outcome = runs.run(request, root);
            }
            assertEquals(TrainingStatus.COMPLETED, outcome.result().status(), outcome.result().message());
            float[] learned = outcome.learnedVectors();
            double trained = seconds(started);

            Evaluation evaluation = Evaluation.of(manager, model, vae, images, templates, resolution,
                    plantedPicture, farPicture);
            double lossPlanted = evaluation.loss(manager, generator, unet, planted);
            double lossInitial = evaluation.loss(manager, generator, unet, initializer);
            double lossLearned = evaluation.loss(manager, generator, unet, learned);
            double startDistance = distance(initializer, planted);
            double endDistance = distance(learned, planted);

            System.out.printf(Locale.ROOT, "LearningTest on %s (%d images of %dpx, %d steps of batch %d, lr %g):%n",
                    variant.name(), IMAGES, resolution, TRAIN_STEPS, BATCH, learningRate);
            System.out.printf(Locale.ROOT, "  L2 to e*: initializer %.5f -> learned %.5f (|e*| %.5f, moved %.5f)%n",
                    startDistance, endDistance, norm(planted), distance(initializer, learned));
            System.out.printf(Locale.ROOT, "  cosine to e*: initializer %.4f -> learned %.4f; length: initializer %.5f,"
                    + " learned %.5f%n", cosine(initializer, planted), cosine(learned, planted), norm(initializer),
                    norm(learned));
            System.out.printf(Locale.ROOT, "  evaluation loss (%d samples): e* %.6f, initializer %.6f, learned %.6f;"
                            + " gap to e* %.6f -> %.6f%n", evaluation.size(), lossPlanted, lossInitial, lossLearned,
                    lossInitial - lossPlanted, lossLearned - lossPlanted);
            System.out.println("  training loss, mean of each sixth of the run:" + sixths(outcome.losses()));
            outcome.notices().stream().filter(line -> line.startsWith("Step ") || line.startsWith("WARNING"))
                    .forEach(line -> System.out.println("  run: " + line));
            System.out.printf(Locale.ROOT, "  time: teaching %.1f s, generation %.1f s, training %.1f s, total %.1f s (process CPU %.1f s)%n",
                    prepared, generated - prepared, trained - generated, seconds(started), ProcessHandle.current().info().totalCpuDuration()
                            .map(cpu -> cpu.toMillis() / 1e3).orElse(Double.NaN));

            assertTrue(lossInitial > lossPlanted, "the evaluation set tells e* from the initializer: loss with e* "
                    + lossPlanted + ", with the initializer " + lossInitial);
            assertTrue(cosine(learned, planted) > cosine(initializer, planted), "the learned vector's direction ends"
                    + " closer to e*'s than it started: cosine " + cosine(initializer, planted) + " -> "
                    + cosine(learned, planted));
            assertTrue(lossLearned - lossPlanted <= 0.5 * (lossInitial - lossPlanted), "the learned vector's loss closes"
                    + " at least half the gap to e*'s: e* " + lossPlanted + ", initializer " + lossInitial + ", learned "
                    + lossLearned);
        }
    }

    /** The training images' prompts: image i's is template i's, naming {@link #PLANTED}. */
    private static List<String> drawingPrompts(PromptTemplates templates) {
        return IntStream.range(0, IMAGES).mapToObj(i -> templates.prompt(i, PLANTED)).toList();
    }

    /**
     * Vectors in every direction around e*'s, each with a prompt naming {@link #PLANTED} and a picture as far from
     * e*'s as the vector's direction is from e*'s: all the way to the other concept's at {@code widest} radians.
     * Their lengths vary (half to one and a half e*'s), because the text encoder adds the token's vector to its
     * position's and normalises the sum (CLIP's first LayerNorm): the UNet sees mostly the vector's direction, so
     * that is what the pictures follow.
     */
    private static List<TaughtModel.Example> neighbourhood(float[] near, float[] far, float[] planted, double widest,
                                                           PromptTemplates templates, Random random) {
        double plantedLength = norm(planted);
        List<TaughtModel.Example> examples = new ArrayList<>();
        for (int k = 0; k < NEIGHBOURHOOD; k++) {
            double away = k % CENTRE_EVERY == 0 ? 0 : random.nextDouble();
            double angle = away * widest;
            double length = k % CENTRE_EVERY == 0 ? 1 : 0.5 + random.nextDouble();
            float[] across = plantedVector(planted, random);
            double acrossLength = norm(across);
            float[] vector = new float[planted.length];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) (length * (Math.cos(angle) * planted[i]
                        + Math.sin(angle) * plantedLength / acrossLength * across[i]));
            }
            float[] picture = new float[near.length];
            for (int i = 0; i < picture.length; i++) {
                picture[i] = (float) (near[i] + away * (far[i] - near[i]));
            }
            examples.add(new TaughtModel.Example(templates.prompt(random.nextInt(templates.size()), PLANTED),
                    List.of(new Embedding(PLANTED, new int[] {1, vector.length}, vector, "test")), picture));
        }
        return examples;
    }

    /**
     * e*: a random direction orthogonal to the initializer, {@link #PLANTED_LENGTH} times its length. A vector at
     * right angles shares nothing with where training starts, so the run has the whole way to go; and twice the
     * length, not the ten times trained embeddings reach, because the loss follows the direction only (see the
     * class comment): a short initializer turned all the way toward a long e* would still be about |e*| from it.
     */
    private static float[] plantedVector(float[] initializer, Random random) {
        double[] direction = new double[initializer.length];
        double along = 0;
        double initializerSquared = 0;
        for (int i = 0; i < direction.length; i++) {
            direction[i] = random.nextGaussian();
            along += direction[i] * initializer[i];
            initializerSquared += (double) initializer[i] * initializer[i];
        }
        double length = 0;
        for (int i = 0; i < direction.length; i++) {
            direction[i] -= along / initializerSquared * initializer[i];
            length += direction[i] * direction[i];
        }
        double scale = PLANTED_LENGTH * Math.sqrt(initializerSquared / length);
        float[] planted = new float[initializer.length];
        for (int i = 0; i < planted.length; i++) {
            planted[i] = (float) (scale * direction[i]);
        }
        return planted;
    }

    /**
     * The fixed evaluation set: every training image (as the dataset loader reads it, unflipped) at its posterior
     * mean times the scaling factor, each at {@link #EVALUATION_TIMESTEPS} timesteps spread evenly over the
     * schedule with fixed Gaussian noise, prompted by template i of the image.
     */
    private record Evaluation(DiffusersFolder model, DdpmSchedule schedule, float[] latents, Shape latentShape, long[] timesteps, float[] noise,
                              List<String> prompts) {

        static Evaluation of(NDManager manager, DiffusersFolder model, AutoencoderKL vae, Path images,
                             PromptTemplates templates, int resolution, float[] plantedPicture,
                             float[] farPicture) throws Exception {
            TrainingDataset dataset = new FolderDatasetLoader().load(new DatasetOptions(images, resolution, false, 1, LEARNED));
            DdpmSchedule schedule = model.schedule();
            List<float[]> means = new ArrayList<>();
            List<String> prompts = new ArrayList<>();
            List<Long> timesteps = new ArrayList<>();
            Shape one = null;
            for (int i = 0; i < dataset.images().size(); i++) {
                TrainingImage image = dataset.images().get(i);
                float[] mean;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray pixels = scope.create(image.pixels(), new Shape(1, 3, resolution, resolution));
                    NDArray latents = vae.encode(pixels).mean().mul((float) vae.scalingFactor());
                    one = latents.getShape();
                    mean = latents.toFloatArray();
                }
                System.out.printf(Locale.ROOT, "  training image %d: %.3f of the way from e*'s picture to the other%n", i,
                        TaughtModel.blend(image.pixels(), plantedPicture, farPicture));
                for (int k = 0; k < EVALUATION_TIMESTEPS * EVALUATION_NOISES; k++) {
                    means.add(mean);
                    timesteps.add((long) ((k % EVALUATION_TIMESTEPS + 0.5) * schedule.numTrainTimesteps() / EVALUATION_TIMESTEPS));
                    prompts.add(templates.prompt(i % templates.size(), LEARNED));
                }
            }
            int per = means.get(0).length;
            float[] latents = new float[means.size() * per];
            for (int i = 0; i < means.size(); i++) {
                System.arraycopy(means.get(i), 0, latents, i * per, per);
            }
            Random random = new Random(SEED + 1);
            float[] noise = new float[latents.length];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) random.nextGaussian();
            }
            Shape shape = new Shape(means.size(), one.get(1), one.get(2), one.get(3));
            return new Evaluation(model, schedule, latents, shape, timesteps.stream().mapToLong(Long::longValue).toArray(), noise,
                    prompts);
        }

        int size() {
            return timesteps.length;
        }

        /** mean((unet(x_t, t, text(prompt with {@code vector} for the trigger)) − target)²) over the set. */
        double loss(NDManager manager, ImageGenerator generator, UNet2DCondition unet, float[] vector) throws Exception {
            try (NDManager scope = manager.newSubManager()) {
                Embedding embedding = new Embedding(LEARNED, new int[] {1, vector.length}, vector.clone(), "test");
                PromptEncoder encoder = generator.promptEncoder(List.of(embedding));
                NDArray[] states = prompts.stream().map(prompt -> encoder.encode(scope, prompt).promptEmbeds())
                        .toArray(NDArray[]::new);
                NDArray x0 = scope.create(latents, latentShape);
                NDArray eps = scope.create(noise, latentShape);
                NDArray noisy = schedule.addNoise(x0, eps, timesteps);
                NDArray target = schedule.target(x0, eps, timesteps);
                NDArray prediction = unet.forward(noisy, scope.create(timesteps), NDArrays.concat(new NDList(states)));
                return prediction.toType(DataType.FLOAT32, false).sub(target).square().mean().getFloat();
            }
        }
    }

    private static String sixths(List<Double> losses) {
        StringBuilder line = new StringBuilder();
        int part = Math.max(1, losses.size() / 6);
        for (int start = 0; start + part <= losses.size(); start += part) {
            line.append(String.format(Locale.ROOT, " %.4f", losses.subList(start, start + part).stream()
                    .mapToDouble(Double::doubleValue).average().orElseThrow()));
        }
        return line.toString();
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    private static double norm(float[] a) {
        return distance(a, new float[a.length]);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}

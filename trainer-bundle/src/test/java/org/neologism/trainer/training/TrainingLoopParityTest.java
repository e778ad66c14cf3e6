package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.schedulers.ConstantSchedule;
import org.neologism.schedulers.ConstantWithWarmupSchedule;
import org.neologism.schedulers.CosineSchedule;
import org.neologism.schedulers.CosineWithRestartsSchedule;
import org.neologism.schedulers.LinearSchedule;
import org.neologism.schedulers.PiecewiseConstantSchedule;
import org.neologism.schedulers.PolynomialSchedule;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/**
 * The training loop of a run ({@link TrainingLoop}, as {@code TextualInversionRun} drives it) over every run
 * diffusers' textual_inversion.py recorded: every step's learning rate (the run's schedule and warmup through
 * the product's schedule, with and without {@code --scale_lr}), loss, AdamW moments carried from step to step
 * and vectors. And gradient accumulation, which has no reference: k micro-batches of B samples update the
 * vectors as one batch of k·B does. Tolerances: testdata/README.md; the moments' follow from the gradient's
 * through AdamW's equations.
 */
class TrainingLoopParityTest {

    private static final double LR_RTOL = 1e-12;
    private static final double LOSS_RTOL = 1e-5;
    private static final double GRADIENT_ATOL = 1e-6;
    private static final double EMBEDDING_ATOL = 1e-6;

    private static final Map<String, LearningRateSchedule> SCHEDULES = List.of(new ConstantSchedule(),
            new ConstantWithWarmupSchedule(), new LinearSchedule(), new CosineSchedule(), new CosineWithRestartsSchedule(),
            new PolynomialSchedule(), new PiecewiseConstantSchedule())
            .stream().collect(Collectors.toMap(LearningRateSchedule::name, Function.identity()));

    private static TorchEngine torch;
    private static NDManager manager;
    private static KernelChoice kernels;
    /** Per model folder: its networks and the posteriors of the recorded pixels, built once for all runs. */
    private static final Map<java.nio.file.Path, FrozenNetworks> NETWORKS = new java.util.HashMap<>();
    private static final Map<String, List<LatentCache.Posterior>> POSTERIORS = new java.util.HashMap<>();

    @BeforeAll
    static void engine() throws IOException {
        torch = new TorchEngine();
        manager = torch.newManager();
        kernels = KernelChoice.of(false, false, manager, notice -> {
            throw new AssertionError(notice);
        });
    }

    @AfterAll
    static void release() throws IOException {
        kernels.close();
        manager.close();
    }

    private static FrozenNetworks networks(GoldenVariant variant) throws IOException {
        FrozenNetworks networks = NETWORKS.get(variant.modelDir());
        if (networks == null) {
            networks = FrozenNetworks.load(DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER), manager, false,
                    kernels.kernels());
            NETWORKS.put(variant.modelDir(), networks);
        }
        return networks;
    }

    /**
     * The VAE posterior of every recorded step's pixels. The SD 1.x/2.x runs of a variant share their inputs;
     * SDXL runs recorded their own pixels ({@code <run>.step<s>.pixel_values}).
     */
    private static List<LatentCache.Posterior> posteriors(GoldenVariant variant, SafetensorsFile golden, String run,
                                                          int steps) throws IOException {
        boolean ownPixels = golden.contains(run + ".step0.pixel_values");
        String cacheKey = variant.folder() + (ownPixels ? "#" + run : "");
        List<LatentCache.Posterior> posteriors = POSTERIORS.get(cacheKey);
        if (posteriors == null || posteriors.size() < steps) {
            posteriors = new ArrayList<>();
            FrozenNetworks networks = networks(variant);
            for (int s = 0; s < steps; s++) {
                String pixels = pixelKey(golden, run, s);
                try (NDManager scope = manager.newSubManager()) {
                    posteriors.add(LatentCache.posterior(networks.vae(),
                            scope.create(golden.readFloats(pixels), new Shape(golden.entry(pixels).shape()))));
                }
            }
            POSTERIORS.put(cacheKey, posteriors);
        }
        return posteriors;
    }

    /** Where step {@code s}'s pixels are: the run's own (SDXL) or the variant's shared ones. */
    private static String pixelKey(SafetensorsFile golden, String run, int s) {
        String own = run + ".step" + s + ".pixel_values";
        return golden.contains(own) ? own : "inputs.step" + s + ".pixel_values";
    }

    @TestFactory
    List<DynamicNode> everyRecordedRunIsReproducedByTheLoop() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            tests.add(variant.tests(v -> {
                List<DynamicTest> runs = new ArrayList<>();
                for (JsonNode run : v.section("train").path("runs")) {
                    for (boolean scaleLr : new boolean[] {false, true}) {
                        runs.add(DynamicTest.dynamicTest(run.path("name").asText() + (scaleLr ? " with --scale_lr" : ""),
                                () -> replay(v, run, scaleLr)));
                    }
                }
                assertFalse(runs.isEmpty(), v + ": index.json lists no training runs");
                return runs.stream();
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicNode> accumulatingMicroBatchesUpdatesLikeOneLargeBatch() {
        List<DynamicNode> tests = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            tests.add(variant.tests(v -> java.util.stream.Stream.of(DynamicTest.dynamicTest(
                    "2 micro-batches of 2 == 1 batch of 4, 2 steps", () -> accumulation(v, 2, 2, 2)))));
        }
        return tests;
    }

    /** The recorded run, step by step, through the product's loop. */
    private static void replay(GoldenVariant variant, JsonNode run, boolean scaleLr) throws IOException, InterruptedException {
        String name = run.path("name").asText();
        int batchSize = run.path("train_batch_size").asInt();
        int accumulation = run.path("gradient_accumulation_steps").asInt();
        assertEquals(1, accumulation, name + ": the references record whole steps, one batch each");
        int steps = run.path("max_train_steps").asInt();
        double learningRate = run.path("learning_rate").asDouble();
        try (NDManager scope = manager.newSubManager(); SafetensorsFile golden = SafetensorsFile.open(variant.file("train.safetensors"))) {
            FrozenNetworks networks = networks(variant);
            List<long[]> placeholderIds = RecordedRuns.placeholderIds(run, networks.text().encoders().size());
            VectorRows rows = RecordedRuns.rows(golden, name);
            float[] vectors = RecordedRuns.initialVectors(networks, scope, run, rows);
            assertClose(RecordedRuns.read(golden, rows, name + ".init_placeholder_rows"), vectors, 0, name + " initial vectors");

            Samples samples = Samples.of(golden, posteriors(variant, golden, name, steps), name, steps);
            AdamW optimizer = new AdamW(adam(run), vectors.length);
            LearningRateSchedule schedule = SCHEDULES.get(run.path("lr_scheduler").asText());
            assertTrue(schedule != null, name + ": no schedule named " + run.path("lr_scheduler").asText());
            // --scale_lr multiplies by batch × accumulation: give it the learning rate that scales to the recorded one.
            double requested = scaleLr ? learningRate / (batchSize * accumulation) : learningRate;
            double base = TrainingLoop.baseLearningRate(requested, scaleLr, batchSize, accumulation);
            ScheduleSettings settings = new ScheduleSettings(run.path("lr_warmup_steps").asLong(), steps, base, Map.of());
            schedule.validate(settings);
            TrainingLoop loop = new TrainingLoop(new TextualInversionStep(networks, placeholderIds), samples::batch, optimizer,
                    step -> schedule.multiplier(step, settings), base, batchSize, accumulation);

            double[] moments = {Double.NaN, Double.NaN};
            for (int s = 0; s < steps; s++) {
                String prefix = name + ".step" + s + ".";
                TrainingLoop.Step step = loop.run(scope, vectors, s);
                assertTrue(step.finite(), prefix + "loss or gradient not finite");
                double expectedLr = golden.readDoubles(prefix + "lr")[0];
                assertEquals(run.path("lrs").get(s).asDouble(), expectedLr, 0, prefix + "lr in index.json and train.safetensors");
                assertTrue(Math.abs(step.lr() - expectedLr) <= LR_RTOL * Math.abs(expectedLr),
                        prefix + "lr: expected " + expectedLr + ", got " + step.lr());
                double expectedLoss = golden.readFloats(prefix + "loss")[0];
                assertTrue(Math.abs(step.loss() - expectedLoss) <= LOSS_RTOL * Math.abs(expectedLoss),
                        prefix + "loss: expected " + expectedLoss + ", got " + step.loss());
                float[] gradient = RecordedRuns.read(golden, rows, prefix + "grad_placeholder");
                momentTolerances(gradient, optimizer.settings(), moments);
                assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_placeholder"), optimizer.firstMoment(), moments[0],
                        prefix + "exp_avg after the step");
                assertClose(RecordedRuns.read(golden, rows, prefix + "exp_avg_sq_placeholder"), optimizer.secondMoment(),
                        moments[1], prefix + "exp_avg_sq after the step");
                assertEquals(s + 1, optimizer.stepCount(), prefix + "AdamW step count");
                assertClose(RecordedRuns.read(golden, rows, prefix + "embeds_after"), vectors, EMBEDDING_ATOL,
                        prefix + "vectors after the step");
            }
            assertClose(RecordedRuns.read(golden, rows, name + ".learned_embeds"), vectors, EMBEDDING_ATOL,
                    name + " learned embedding");
        }
    }

    /**
     * The same samples trained once as {@code micro} micro-batches of {@code batchSize} per step and once as one
     * batch of micro·batchSize: the loss, the learning rate (--scale_lr sees the same samples per step) and the
     * vectors and moments after every step agree within float32 summation-order differences.
     */
    private static void accumulation(GoldenVariant variant, int micro, int batchSize, int steps)
            throws IOException, InterruptedException {
        JsonNode run = variant.section("train").path("runs").path(0);
        String name = run.path("name").asText();
        int samplesNeeded = micro * batchSize * steps;
        int recordedSteps = run.path("max_train_steps").asInt();
        try (NDManager scope = manager.newSubManager(); SafetensorsFile golden = SafetensorsFile.open(variant.file("train.safetensors"))) {
            FrozenNetworks networks = networks(variant);
            Samples samples = Samples.of(golden, posteriors(variant, golden, name, recordedSteps), name, recordedSteps);
            assertTrue(samples.count() >= samplesNeeded, name + " records " + samples.count() + " samples, need " + samplesNeeded);
            List<long[]> placeholderIds = RecordedRuns.placeholderIds(run, networks.text().encoders().size());
            float[] accumulated = RecordedRuns.initialVectors(networks, scope, run, RecordedRuns.rows(golden, name));
            float[] whole = accumulated.clone();
            AdamW accumulatedOptimizer = new AdamW(adam(run), accumulated.length);
            AdamW wholeOptimizer = new AdamW(adam(run), whole.length);
            double learningRate = run.path("learning_rate").asDouble();
            TextualInversionStep step = new TextualInversionStep(networks, placeholderIds);
            TrainingLoop.Schedule constant = done -> 1.0;
            TrainingLoop inMicroBatches = new TrainingLoop(step, samples::batch, accumulatedOptimizer, constant,
                    TrainingLoop.baseLearningRate(learningRate, true, batchSize, micro), batchSize, micro);
            TrainingLoop inOneBatch = new TrainingLoop(step, samples::batch, wholeOptimizer, constant,
                    TrainingLoop.baseLearningRate(learningRate, true, micro * batchSize, 1), micro * batchSize, 1);
            for (int s = 0; s < steps; s++) {
                TrainingLoop.Step a = inMicroBatches.run(scope, accumulated, s);
                TrainingLoop.Step b = inOneBatch.run(scope, whole, s);
                String what = variant + " step " + s + ": ";
                assertEquals(b.lr(), a.lr(), 0, what + "learning rate");
                assertTrue(Math.abs(a.loss() - b.loss()) <= LOSS_RTOL * Math.abs(b.loss()),
                        what + "loss " + a.loss() + " in micro-batches, " + b.loss() + " in one batch");
                assertClose(wholeOptimizer.firstMoment(), accumulatedOptimizer.firstMoment(),
                        (1 - adam(run).beta1()) * GRADIENT_ATOL * (s + 1), what + "exp_avg");
                assertClose(whole, accumulated, EMBEDDING_ATOL, what + "vectors");
            }
        }
    }

    /**
     * How far the moments may be off when each gradient element is off by up to GRADIENT_ATOL:
     * m sums (1-b1)·g, so |Δm| grows by (1-b1)·δ per step; v sums (1-b2)·g², so by (1-b2)·(2|g|δ + δ²).
     */
    private static void momentTolerances(float[] gradient, AdamW.Settings adam, double[] tolerances) {
        double largest = 0;
        for (float g : gradient) {
            largest = Math.max(largest, Math.abs(g));
        }
        double firstStep = (1 - adam.beta1()) * GRADIENT_ATOL;
        double secondStep = (1 - adam.beta2()) * (2 * largest * GRADIENT_ATOL + GRADIENT_ATOL * GRADIENT_ATOL);
        tolerances[0] = Double.isNaN(tolerances[0]) ? firstStep : adam.beta1() * tolerances[0] + firstStep;
        tolerances[1] = Double.isNaN(tolerances[1]) ? secondStep : adam.beta2() * tolerances[1] + secondStep;
    }

    private static AdamW.Settings adam(JsonNode run) {
        JsonNode adam = run.path("adam");
        return new AdamW.Settings(adam.path("betas").get(0).asDouble(), adam.path("betas").get(1).asDouble(),
                adam.path("weight_decay").asDouble(), adam.path("eps").asDouble());
    }

    /**
     * The recorded samples in the order the run drew them (step s holds samples s·B .. s·B+B-1): the prompt
     * ids of the run, the VAE posterior of the recorded pixels, the recorded eps, noise and timestep; for SDXL
     * also the second encoder's ids and the time ids (empty lists otherwise).
     */
    private record Samples(List<long[]> ids, long[] timesteps, List<float[]> mean, List<float[]> std, List<float[]> eps,
                           List<float[]> noise, long[] latentShape, List<long[]> ids2, List<float[]> timeIds) {

        static Samples of(SafetensorsFile golden, List<LatentCache.Posterior> posteriors, String run, int steps)
                throws IOException {
            List<long[]> ids = new ArrayList<>();
            List<Long> timesteps = new ArrayList<>();
            List<float[]> mean = new ArrayList<>();
            List<float[]> std = new ArrayList<>();
            List<float[]> eps = new ArrayList<>();
            List<float[]> noise = new ArrayList<>();
            List<long[]> ids2 = new ArrayList<>();
            List<float[]> timeIds = new ArrayList<>();
            long[] latentShape = null;
            for (int s = 0; s < steps; s++) {
                String inputs = "inputs.step" + s + ".";
                String prefix = run + ".step" + s + ".";
                long[] pixelShape = golden.entry(pixelKey(golden, run, s)).shape();
                LatentCache.Posterior posterior = posteriors.get(s);
                latentShape = posterior.shape();
                int batch = (int) pixelShape[0];
                int latent = posterior.mean().length / batch;
                long[] stepIds = golden.readLongs(prefix + "input_ids");
                long[] stepIds2 = golden.contains(prefix + "input_ids_2") ? golden.readLongs(prefix + "input_ids_2") : null;
                float[] stepTimeIds = golden.contains(prefix + "add_time_ids") ? golden.readFloats(prefix + "add_time_ids") : null;
                int idLength = stepIds.length / batch;
                long[] stepTimesteps = golden.readLongs(inputs + "timesteps");
                float[] stepEps = golden.readFloats(inputs + "posterior_eps");
                float[] stepNoise = golden.readFloats(inputs + "noise");
                for (int j = 0; j < batch; j++) {
                    ids.add(java.util.Arrays.copyOfRange(stepIds, j * idLength, (j + 1) * idLength));
                    timesteps.add(stepTimesteps[j]);
                    mean.add(java.util.Arrays.copyOfRange(posterior.mean(), j * latent, (j + 1) * latent));
                    std.add(java.util.Arrays.copyOfRange(posterior.std(), j * latent, (j + 1) * latent));
                    eps.add(java.util.Arrays.copyOfRange(stepEps, j * latent, (j + 1) * latent));
                    noise.add(java.util.Arrays.copyOfRange(stepNoise, j * latent, (j + 1) * latent));
                    if (stepIds2 != null) {
                        ids2.add(java.util.Arrays.copyOfRange(stepIds2, j * idLength, (j + 1) * idLength));
                    }
                    if (stepTimeIds != null) {
                        int perSample = stepTimeIds.length / batch;
                        timeIds.add(java.util.Arrays.copyOfRange(stepTimeIds, j * perSample, (j + 1) * perSample));
                    }
                }
            }
            return new Samples(ids, timesteps.stream().mapToLong(Long::longValue).toArray(), mean, std, eps, noise,
                    latentShape, ids2, timeIds);
        }

        int count() {
            return timesteps.length;
        }

        /** Samples firstSample .. firstSample+size-1 as one batch, as BatchAssembler hands them to the step. */
        TextualInversionStep.Batch batch(long firstSample, int size) {
            int first = Math.toIntExact(firstSample);
            assertTrue(first + size <= count(), "the run asked for sample " + (first + size - 1) + " of " + count());
            return new TextualInversionStep.Batch(concatLongs(ids.subList(first, first + size)),
                    java.util.Arrays.copyOfRange(timesteps, first, first + size), concat(mean.subList(first, first + size)),
                    concat(std.subList(first, first + size)), concat(eps.subList(first, first + size)),
                    concat(noise.subList(first, first + size)), latentShape,
                    ids2.isEmpty() ? null : concatLongs(ids2.subList(first, first + size)),
                    timeIds.isEmpty() ? null : concat(timeIds.subList(first, first + size)));
        }

        private static float[] concat(List<float[]> parts) {
            float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (float[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return all;
        }

        private static long[] concatLongs(List<long[]> parts) {
            long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (long[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return all;
        }
    }

    private static void assertClose(float[] expected, float[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs((double) expected[i] - actual[i]);
            worst = Math.max(worst, difference);
            assertTrue(difference <= atol, what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]
                    + " (difference " + difference + ", tolerance " + atol + ")");
        }
    }
}

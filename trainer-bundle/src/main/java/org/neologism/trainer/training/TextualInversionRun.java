package org.neologism.trainer.training;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.neologism.core.dataset.DatasetLoader;
import org.neologism.core.dataset.DatasetOptions;
import org.neologism.core.dataset.PromptTemplates;
import org.neologism.core.dataset.TrainingDataset;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.root.RootFolder;
import org.neologism.core.schedule.LiveSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.single.SingleFileOptions;

/**
 * One textual-inversion run from request to files: diffusers' {@code textual_inversion.py} with a
 * latent cache, resumable checkpoints and invokeai-ti's output layout.
 */
public final class TextualInversionRun {

    /** The services a run uses; the trainer component supplies them. */
    public record Services(TorchEngine torch, DatasetLoader datasets, Schedules schedules,
                           Function<String, EmbeddingCodec> codecs, EmbeddingInstaller installer,
                           Function<String, Optional<Sampler>> samplers) {}

    /** Follows a learning-rate schedule by name through the registry of the trainer's bundle. */
    @FunctionalInterface
    public interface Schedules {
        LiveSchedule follow(String name, ScheduleSettings settings, LiveSchedule.Listener listener);
    }

    /**
     * Puts the finished embedding where InvokeAI finds it; returns the file written. The parts are one
     * embedding for SD 1.x/2.x, and SDXL's {@code clip_l} and {@code clip_g} halves.
     */
    @FunctionalInterface
    public interface EmbeddingInstaller {
        Path install(List<Embedding> parts) throws IOException;
    }

    /** How a run ended. */
    public record Result(TrainingStatus status, long step, Path outputDir, Optional<Path> installed, String message) {}

    /** The cache of weight-file digests behind the model fingerprint, under the root folder. */
    static final String WEIGHT_DIGESTS = "cache/weight-digests.json";

    private final TrainingRequest request;
    private final DiffusersFolder model;
    private final RootFolder root;
    private final Services services;
    /** The caller's observer; from the output folder's preparation on, a run reports through its train.log as well. */
    private final RunObserver caller;

    /**
     * @param model the request's model, located and opened once, when the request was checked
     *              ({@link ModelLocator#open})
     */
    public TextualInversionRun(TrainingRequest request, DiffusersFolder model, RootFolder root, Services services,
                               RunObserver observer) {
        this.request = request.withModelResolution(defaultResolution(model));
        this.model = model;
        this.root = root;
        this.services = services;
        this.caller = observer;
    }

    /**
     * {@code --resolution} when not given: an SDXL model's own size ({@code unet.sample_size · vae_scale_factor},
     * 1024 for SDXL base), as diffusers' SDXL script trains; 512 for SD 1.x/2.x, as its textual_inversion.py does.
     */
    public static int defaultResolution(DiffusersFolder model) {
        if (!model.isSdxl()) {
            return TrainingRequest.DEFAULT_RESOLUTION;
        }
        return model.unetConfig().sampleSize() * model.vaeConfig().scaleFactor();
    }

    /** The output folder the request writes to. */
    public Path outputDir() {
        return request.outputDir() != null ? request.outputDir() : root.trainingOutput(request.placeholderToken());
    }

    public Result run() throws IOException, InterruptedException {
        request.requireValid();
        Path outputDir = outputDir();
        try (OutputFolder folder = OutputFolder.lock(outputDir, "training " + request.placeholderToken() + " on "
                + request.model(), caller::notice)) {
            return runLocked(folder);
        } catch (IOException failure) {
            if (!IoFailure.isFileSystemFailure(failure)) {
                throw failure;
            }
            throw new IOException(ioFailure().describe(failure, outputDir), failure);
        } catch (UncheckedIOException failure) {
            // loss.csv's appends inside the loop
            throw new IOException(ioFailure().describe(failure.getCause(), outputDir), failure.getCause());
        }
    }

    /** The run's folders and the flag that moves each, most specific first. */
    private IoFailure ioFailure() {
        Map<Path, String> flags = new LinkedHashMap<>();
        flags.put(outputDir(), "--output_dir");
        if (request.trainDataDir() != null) {
            flags.put(request.trainDataDir(), "--train_data_dir");
        }
        flags.put(root.path(), "--root");
        return new IoFailure(flags);
    }

    /** The run's phases, in the output folder it holds. */
    private Result runLocked(OutputFolder folder) throws IOException, InterruptedException {
        RunTokens tokens = RunTokens.of(model, request.placeholderToken(), request.numVectors(), request.initializerToken());
        Path dataDir = request.trainDataDir() != null ? request.trainDataDir() : root.trainingData(request.placeholderToken());
        TrainingDataset dataset = loadDataset(dataDir, tokens.expandedTrigger());
        RunObserver observer = startLog(folder, dataDir);
        RunStart start = resumeOrStart(folder.path(), dataDir, observer);

        prepareThread(services.torch(), request.cpuThreads(), observer);
        Device runsOn = services.torch().deviceFor(request.device());
        CpuHalfPrecision.warning(request.halfPrecision(), runsOn, CpuHalfPrecision.cpuFlags()).ifPresent(observer::notice);
        try (NDManager manager = services.torch().newManager(runsOn);
             LiveSchedule schedule = services.schedules().follow(request.lrScheduler(), scheduleSettings(),
                     scheduleListener(observer));
             KernelChoice kernels = KernelChoice.of(request.fusedAttention(), request.halfPrecision(),
                     manager, observer::notice)) {
            FrozenNetworks networks = FrozenNetworks.load(model, manager, request.halfPrecision(),
                    kernels.kernels());
            float[] initializer = initialVectors(networks, manager, tokens.initializerIds(), request.numVectors());
            Trainable trainable = trainable(start, initializer, folder.path(), observer);
            LearningWatch watch = learningWatch(model, networks, initializer, start.seed(), folder.path(), observer);
            try (DeviceTraining device = deviceTraining(networks, tokens, dataset, start.seed(), trainable, manager)) {
                TrainingLoop loop = new TrainingLoop(device, schedule::multiplier, learningRate());
                RunFiles files = new RunFiles(folder.path(), LossLog.open(folder.path(), start.step()),
                        new RunOutputs(folder.path(), request.placeholderToken(), request.numVectors(),
                                new VectorRows(networks.text().widths()), services.codecs()),
                        start.recipe(request, networks.tokenWidth()));
                Optional<Result> ended = train(loop, start.step(), files, watch, manager, observer, dataset.images().size());
                if (ended.isPresent()) {
                    return ended.get();
                }
                float[] vectors = loop.vectors();
                watch.atEnd(manager, request.maxTrainSteps(), vectors);
                return finish(files, vectors);
            }
        }
    }

    /**
     * libtorch's settings are per thread: this one trains without grad mode (but in the collector) on
     * {@code --cpu_threads} threads, else the configured number, else every core.
     */
    private static void prepareThread(TorchEngine torch, Integer requestedThreads, RunObserver observer) {
        JniUtils.setGradMode(false);
        int inheritedThreads = JniUtils.getNumThreads();
        int threads = torch.useIntraOpThreads(requestedThreads);
        if (threads != inheritedThreads) {
            observer.notice("libtorch trains on " + threads + " intra-op threads (this thread had " + inheritedThreads + ")");
        }
    }

    /** The training images at the request's resolution, their warnings told. */
    private TrainingDataset loadDataset(Path dataDir, String expandedTrigger) throws IOException {
        // diffusers' SDXL script resizes the whole image to R×R before its crop, so --center_crop changes nothing.
        boolean centerCrop = request.centerCrop() && !model.isSdxl();
        TrainingDataset dataset = services.datasets().load(new DatasetOptions(dataDir, request.resolution(),
                centerCrop, request.repeats(), expandedTrigger));
        dataset.warnings().forEach(caller::notice);
        return dataset;
    }

    /** A new run empties the folder (as far as the request allows); every report from here on is kept in logs/train.log. */
    private RunObserver startLog(OutputFolder folder, Path dataDir) throws IOException {
        Path outputDir = folder.path();
        if (!resumes()) {
            folder.prepareForNewRun(request.overwriteOutputDir(), caller::notice);
        }
        Files.createDirectories(outputDir.resolve("logs"));
        RunObserver observer = new LoggedObserver(caller, outputDir.resolve("logs").resolve("train.log"));
        observer.notice("Run of " + request.placeholderToken() + ": model " + model.root() + ", images " + dataDir
                + ", output " + outputDir);
        if (request.centerCrop() && model.isSdxl()) {
            observer.notice("--center_crop has no effect on an SDXL model: like diffusers' SDXL script, each image is"
                    + " resized to " + request.resolution() + "x" + request.resolution() + " whole.");
        }
        return observer;
    }

    private boolean resumes() {
        return request.resumeFromCheckpoint() != null && !request.resumeFromCheckpoint().isBlank();
    }

    /**
     * Where the run starts: its fingerprints, and the checkpoint it resumes (with that run's id and seed) or a
     * new id and the requested (or a random) seed at step 0.
     */
    private RunStart resumeOrStart(Path outputDir, Path dataDir, RunObserver observer) throws IOException {
        Path modelDir = model.root();
        String datasetFingerprint = RunFingerprint.ofDataset(dataDir, request.resolution(), request.centerCrop());
        String modelFingerprint = RunFingerprint.ofModel(modelDir, new WeightDigests(root.path().resolve(WEIGHT_DIGESTS)));
        Optional<Checkpoint> resumed = resumePoint(outputDir, modelDir, datasetFingerprint, modelFingerprint, observer);
        String runId = resumed.map(Checkpoint::runId).orElseGet(() -> UUID.randomUUID().toString());
        long seed = resumed.map(Checkpoint::seed)
                .orElseGet(() -> request.seed() != null ? request.seed() : new SecureRandom().nextLong());
        return new RunStart(resumed, runId, seed, datasetFingerprint, modelFingerprint);
    }

    /**
     * Where a run starts.
     *
     * @param resumed the checkpoint it continues, if any
     */
    private record RunStart(Optional<Checkpoint> resumed, String runId, long seed, String datasetFingerprint,
                            String modelFingerprint) {

        long step() {
            return resumed.map(Checkpoint::step).orElse(0L);
        }

        Checkpoint.Recipe recipe(TrainingRequest request, int width) {
            return new Checkpoint.Recipe(seed, request.placeholderToken(), request.numVectors(), width, datasetFingerprint,
                    modelFingerprint, request, runId);
        }
    }

    /** The files a run writes as it goes: loss.csv, the intermediate and final embeddings, its checkpoints. */
    private record RunFiles(Path outputDir, LossLog log, RunOutputs outputs, Checkpoint.Recipe recipe) {}

    private double learningRate() {
        return TrainingLoop.baseLearningRate(request.learningRate(), request.scaleLr(), request.trainBatchSize(),
                request.gradientAccumulationSteps());
    }

    private ScheduleSettings scheduleSettings() {
        return new ScheduleSettings(request.lrWarmupSteps(), request.maxTrainSteps(), learningRate(),
                request.lrSchedulerParameters());
    }

    /** The vectors and AdamW's state a run starts from: the checkpoint's, or the initializer's and zeros. */
    private record Trainable(float[] vectors, AdamW optimizer) {}

    private Trainable trainable(RunStart start, float[] initializer, Path outputDir, RunObserver observer) {
        AdamW.Settings adam = new AdamW.Settings(request.adamBeta1(), request.adamBeta2(), request.adamWeightDecay(),
                request.adamEpsilon());
        if (start.resumed().isEmpty()) {
            return new Trainable(initializer.clone(), new AdamW(adam, initializer.length));
        }
        Checkpoint checkpoint = start.resumed().get();
        observer.notice("Resuming from " + outputDir.resolve(Checkpoint.FOLDER_PREFIX + checkpoint.step())
                + " at step " + checkpoint.step());
        return new Trainable(checkpoint.vectors(),
                new AdamW(adam, checkpoint.firstMoment(), checkpoint.secondMoment(), checkpoint.step()));
    }

    /**
     * The latent cache, and the run's state on the device: the vectors and AdamW's moments, the cache and the
     * prompts' ids as device tensors.
     */
    private DeviceTraining deviceTraining(FrozenNetworks networks, RunTokens tokens, TrainingDataset dataset, long seed,
                                          Trainable trainable, NDManager manager) throws IOException {
        LatentCache latents = LatentCache.encode(networks.vae(), manager, bothWays(dataset), request.resolution());
        PromptTemplates templates = PromptTemplates.forProperty(request.learnableProperty().flag());
        TrainingRandom random = new TrainingRandom(seed, dataset.images().size(), dataset.repeats(), templates.size(),
                networks.schedule().numTrainTimesteps(), dataset.flipProbability());
        BatchAssembler assembler = new BatchAssembler(random, latents, dataset, templates, tokens.tokenizers(),
                tokens.expandedTrigger(), networks.unet().needsAddedConditions());
        DeviceBatches batches = new DeviceBatches(random, latents, assembler, networks.schedule(), manager);
        // The vectors and AdamW's state move to the device; they come back only for the files that hold them.
        TextualInversionStep step = new TextualInversionStep(networks, tokens.placeholderIds(),
                request.gradientCheckpointing());
        return new DeviceTraining(step, batches, trainable.vectors(),
                request.numVectors(), trainable.optimizer(), request.trainBatchSize(), request.gradientAccumulationSteps(),
                manager);
    }

    /**
     * The steps from {@code startStep}: each logged and shown, the intermediate embeddings and checkpoints
     * written on their steps. Returns how the run ended when it stopped or diverged, empty when every step ran.
     */
    private Optional<Result> train(TrainingLoop loop, long startStep, RunFiles files, LearningWatch watch, NDManager manager,
                                   RunObserver observer, int imageCount) throws IOException, InterruptedException {
        String trigger = request.placeholderToken();
        Path outputDir = files.outputDir();
        long started = System.nanoTime();
        observer.status(TrainingStatus.RUNNING, "Training " + trigger + " on " + imageCount
                + " images from step " + startStep + " of " + request.maxTrainSteps());
        for (long done = startStep; done < request.maxTrainSteps(); done++) {
            if (observer.stopRequested()) {
                // no learned_embeds.bin: a stopped run's embedding is not a result, its checkpoint resumes it
                Path saved = done > startStep ? files.recipe().at(done, loop.vectors(), loop.optimizer()).save(outputDir)
                        : outputDir.resolve(Checkpoint.FOLDER_PREFIX + done);
                return Optional.of(new Result(TrainingStatus.STOPPED, done, outputDir, Optional.empty(), "Stopped at step "
                        + done + (Files.isDirectory(saved) ? "; state saved in " + saved + ". Resume with"
                        + " --resume_from_checkpoint latest." : " before any training step, so there is no checkpoint to resume from.")));
            }
            TrainingLoop.Step stepped = loop.run(done);
            double loss = stepped.loss();
            double lr = stepped.lr();
            if (!stepped.finite()) {
                // kept as an intermediate file: a diverged run has no final learned_embeds.bin
                Path kept = files.outputs().writeIntermediate(done, loop.vectors());
                String what = Double.isFinite(loss) ? "The gradient became NaN or infinite" : "The loss became " + loss;
                return Optional.of(new Result(TrainingStatus.FAILED, done, outputDir, Optional.empty(), what
                        + " at step " + (done + 1) + "; training stopped and kept the embedding of step " + done
                        + " in " + kept + ". Lower --learning_rate, or train with --mixed_precision=no."));
            }
            long global = done + 1;
            double seconds = (System.nanoTime() - started) / 1e9;
            files.log().append(new LossLog.Row(global, loss, lr, seconds));
            observer.stepDone(global, request.maxTrainSteps(), loss, lr);
            watch.afterStep(manager, global, loss, stepped.gradientNorm(), loop::vectors);
            if (global % request.saveSteps() == 0) {
                files.outputs().writeIntermediate(global, loop.vectors());
            }
            if (global % request.checkpointingSteps() == 0) {
                files.recipe().at(global, loop.vectors(), loop.optimizer()).save(outputDir);
                if (request.checkpointsTotalLimit() != null) {
                    Checkpoint.prune(outputDir, request.checkpointsTotalLimit());
                }
            }
        }
        return Optional.empty();
    }

    /** The final embedding and the loss plot written, the embedding installed where InvokeAI finds it. */
    private Result finish(RunFiles files, float[] vectors) throws IOException {
        files.outputs().writeFinal(vectors);
        files.outputs().plotLoss(files.log());
        Path installed = install(files.outputs().installable(vectors), files.outputs().finalFile());
        return new Result(TrainingStatus.COMPLETED, request.maxTrainSteps(), files.outputDir(), Optional.of(installed),
                "Trained " + request.placeholderToken() + " in " + request.maxTrainSteps() + " steps: "
                        + files.outputs().finalFile() + ", installed as " + installed + ". Use " + request.placeholderToken()
                        + " in a prompt.");
    }

    /**
     * The run's learning report and, with {@code --validation_prompt}, its validation images (DPM++ 2M from the
     * sampler services); without the flag nothing is loaded or drawn.
     */
    private LearningWatch learningWatch(DiffusersFolder model, FrozenNetworks networks, float[] initializer, long seed,
                                        Path outputDir, RunObserver observer) {
        LearningReport report = new LearningReport(initializer);
        if (!request.validates()) {
            return new LearningWatch(report, Optional.empty(), request.maxTrainSteps(), observer);
        }
        Sampler sampler = services.samplers().apply(ValidationImages.SAMPLER).orElseThrow(() -> new IllegalStateException(
                "--validation_prompt needs the " + ValidationImages.SAMPLER + " sampler, which no bundle provides:"
                        + " start the schedulers bundle, or train without --validation_prompt"));
        ImageGenerator generator = new ImageGenerator(model, networks.text(), networks.unet(), networks.vae());
        ValidationImages images = new ValidationImages(new ValidationImages.Settings(request.validationPrompt(),
                request.numValidationImages(), request.validationSteps()), generator, sampler, request.placeholderToken(),
                request.numVectors(), networks.tokenWidth(), seed, outputDir, observer);
        return new LearningWatch(report, Optional.of(images), request.validationSteps(), observer);
    }


    /** Installs the result; when that fails, the message says where the trained embedding is kept. */
    private Path install(List<Embedding> parts, Path trained) throws IOException {
        try {
            return services.installer().install(parts);
        } catch (IOException failure) {
            String why = IoFailure.isFileSystemFailure(failure) ? ioFailure().describe(failure, root.embeddings())
                    : failure.getMessage();
            throw new IOException(why + " The trained embedding is safe in " + trained + "; install it later with"
                    + " ti:import " + trained + ".", failure);
        }
    }


    /** A step that waits for its schedule pauses the job; the job shows which schedule it waits for. */
    private static LiveSchedule.Listener scheduleListener(RunObserver observer) {
        return new LiveSchedule.Listener() {
            @Override
            public void notice(String line) {
                observer.notice(line);
            }

            @Override
            public void waiting(String schedule, String line) {
                observer.paused(schedule, line);
            }
        };
    }

    private Optional<Checkpoint> resumePoint(Path outputDir, Path modelDir, String datasetFingerprint,
                                             String modelFingerprint, RunObserver observer) throws IOException {
        String wanted = request.resumeFromCheckpoint();
        if (wanted == null || wanted.isBlank()) {
            return Optional.empty();
        }
        Optional<Checkpoint> found = ResumePoint.find(outputDir, wanted, observer::notice);
        if (found.isEmpty()) {
            observer.notice("No checkpoint in " + outputDir + " to resume from; starting a new training run.");
            return Optional.empty();
        }
        Checkpoint checkpoint = found.get();
        Path folder = outputDir.resolve(Checkpoint.FOLDER_PREFIX + checkpoint.step());
        String refusal = "Cannot resume from " + folder + ": ";
        if (!checkpoint.trigger().equals(request.placeholderToken()) || checkpoint.vectorCount() != request.numVectors()) {
            throw new IllegalArgumentException(refusal + "it learns " + checkpoint.trigger() + " with " + checkpoint.vectorCount()
                    + " vectors, this run " + request.placeholderToken() + " with " + request.numVectors()
                    + ". Use the same --placeholder_token and --num_vectors, or another --output_dir.");
        }
        if (!checkpoint.datasetFingerprint().equals(datasetFingerprint)) {
            throw new IllegalArgumentException(refusal + "it was trained on other images (or another --resolution or"
                    + " --center_crop) than this run's. Resume with the same training data, or start a new run with"
                    + " another --output_dir.");
        }
        if (!RunFingerprint.sameModel(checkpoint.modelFingerprint(), modelDir, modelFingerprint)) {
            throw new IllegalArgumentException(refusal + "it was trained on another model than --model " + request.model()
                    + " (the weights differ). Resume with the same model, or start a new run with another --output_dir.");
        }
        return Optional.of(checkpoint);
    }

    /** Every vector starts as its encoder's initializer row, for each encoder side by side. */
    private static float[] initialVectors(FrozenNetworks networks, NDManager manager, List<Integer> initializerIds,
            int vectorCount) {
        List<float[]> blocks = new ArrayList<>();
        for (int e = 0; e < initializerIds.size(); e++) {
            float[] row = networks.text().encoders().get(e).tokenEmbeddingRow(manager, initializerIds.get(e)).toFloatArray();
            float[] block = new float[vectorCount * row.length];
            for (int i = 0; i < vectorCount; i++) {
                System.arraycopy(row, 0, block, i * row.length, row.length);
            }
            blocks.add(block);
        }
        return new VectorRows(networks.text().widths()).join(blocks);
    }

    private static List<float[][]> bothWays(TrainingDataset dataset) {
        List<float[][]> images = new ArrayList<>();
        for (TrainingImage image : dataset.images()) {
            images.add(new float[][] {image.pixels(), image.flippedPixels()});
        }
        return images;
    }
}

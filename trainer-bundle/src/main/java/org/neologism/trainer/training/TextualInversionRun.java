package org.neologism.trainer.training;

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
    private final RootFolder root;
    private final Services services;
    private RunObserver observer;

    public TextualInversionRun(TrainingRequest request, RootFolder root, Services services, RunObserver observer) {
        this.request = request;
        this.root = root;
        this.services = services;
        this.observer = observer;
    }

    /** The output folder the request writes to. */
    public Path outputDir() {
        return request.outputDir() != null ? request.outputDir() : root.trainingOutput(request.placeholderToken());
    }

    public Result run() throws IOException, InterruptedException {
        request.requireValid();
        Path outputDir = outputDir();
        try (OutputFolder folder = OutputFolder.lock(outputDir, "training " + request.placeholderToken() + " on "
                + request.model(), observer::notice)) {
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

    private Result runLocked(OutputFolder folder) throws IOException, InterruptedException {
        String trigger = request.placeholderToken();
        DiffusersFolder model = ModelLocator.open(request.model(), root,
                new SingleFileOptions(request.originalConfig(), request.predictionType(), request.tokenizer()));
        Path modelDir = model.root();
        Path dataDir = request.trainDataDir() != null ? request.trainDataDir() : root.trainingData(trigger);
        Path outputDir = folder.path();
        int vectorCount = request.numVectors();

        // Each text encoder has its own tokenizer (SDXL's second pads with "!"): ids per tokenizer.
        List<ClipTokenizer> tokenizers = new ArrayList<>();
        List<Integer> initializerIds = new ArrayList<>();
        List<long[]> placeholderIds = new ArrayList<>();
        for (ClipTokenizer tokenizer : model.tokenizers()) {
            initializerIds.add(InitializerToken.idOf(tokenizer, request.initializerToken()));
            placeholderIds.add(toLongs(tokenizer.addPlaceholderTokens(trigger, vectorCount)));
            tokenizers.add(tokenizer);
        }
        String expandedTrigger = ClipTokenizer.expandPlaceholder(trigger, vectorCount);
        // diffusers' SDXL script resizes the whole image to R×R before its crop, so --center_crop changes nothing.
        boolean centerCrop = request.centerCrop() && !model.isSdxl();
        TrainingDataset dataset = services.datasets().load(new DatasetOptions(dataDir, request.resolution(),
                centerCrop, request.repeats(), expandedTrigger));
        dataset.warnings().forEach(observer::notice);
        PromptTemplates templates = PromptTemplates.forProperty(request.learnableProperty().flag());

        if (request.resumeFromCheckpoint() == null || request.resumeFromCheckpoint().isBlank()) {
            folder.prepareForNewRun(request.overwriteOutputDir(), observer::notice);
        }
        Files.createDirectories(outputDir.resolve("logs"));
        observer = new LoggedObserver(observer, outputDir.resolve("logs").resolve("train.log"));
        observer.notice("Run of " + trigger + ": model " + modelDir + ", images " + dataDir + ", output " + outputDir);
        if (request.centerCrop() && model.isSdxl()) {
            observer.notice("--center_crop has no effect on an SDXL model: like diffusers' SDXL script, each image is"
                    + " resized to " + request.resolution() + "x" + request.resolution() + " whole.");
        }
        String datasetFingerprint = RunFingerprint.ofDataset(dataDir, request.resolution(), request.centerCrop());
        String modelFingerprint = RunFingerprint.ofModel(modelDir, new WeightDigests(root.path().resolve(WEIGHT_DIGESTS)));
        Optional<Checkpoint> resumed = resumePoint(outputDir, modelDir, datasetFingerprint, modelFingerprint);
        String runId = resumed.map(Checkpoint::runId).orElseGet(() -> UUID.randomUUID().toString());
        long seed = resumed.map(Checkpoint::seed)
                .orElseGet(() -> request.seed() != null ? request.seed() : new SecureRandom().nextLong());
        long startStep = resumed.map(Checkpoint::step).orElse(0L);
        double learningRate = TrainingLoop.baseLearningRate(request.learningRate(), request.scaleLr(),
                request.trainBatchSize(), request.gradientAccumulationSteps());
        AdamW.Settings adam = new AdamW.Settings(request.adamBeta1(), request.adamBeta2(), request.adamWeightDecay(),
                request.adamEpsilon());
        ScheduleSettings scheduleSettings = new ScheduleSettings(request.lrWarmupSteps(), request.maxTrainSteps(),
                learningRate, request.lrSchedulerParameters());

        // libtorch's grad mode is per thread and on for new threads: off outside the gradient collector.
        JniUtils.setGradMode(false);
        try (NDManager manager = services.torch().newManager(services.torch().deviceFor(request.device()));
             LiveSchedule schedule = services.schedules().follow(request.lrScheduler(), scheduleSettings, scheduleListener());
             KernelChoice kernels = KernelChoice.of(request.fusedAttention(), request.halfPrecision(),
                     manager, observer::notice)) {
            FrozenNetworks networks = FrozenNetworks.load(model, manager, request.halfPrecision(),
                    kernels.kernels());
            int width = networks.tokenWidth();
            float[] vectors;
            AdamW optimizer;
            float[] initializer = initialVectors(networks, manager, initializerIds, vectorCount);
            if (resumed.isPresent()) {
                Checkpoint checkpoint = resumed.get();
                vectors = checkpoint.vectors();
                optimizer = new AdamW(adam, checkpoint.firstMoment(), checkpoint.secondMoment(), checkpoint.step());
                observer.notice("Resuming from " + outputDir.resolve(Checkpoint.FOLDER_PREFIX + checkpoint.step())
                        + " at step " + checkpoint.step());
            } else {
                vectors = initializer.clone();
                optimizer = new AdamW(adam, vectors.length);
            }
            LearningWatch watch = learningWatch(model, networks, initializer, seed, outputDir);

            LatentCache latents = LatentCache.encode(networks.vae(), manager, bothWays(dataset), request.resolution());
            TrainingRandom random = new TrainingRandom(seed, dataset.images().size(), dataset.repeats(), templates.size(),
                    networks.schedule().numTrainTimesteps(), dataset.flipProbability());
            BatchAssembler batches = new BatchAssembler(random, latents, dataset, templates, tokenizers, expandedTrigger,
                    networks.unet().needsAddedConditions());
            TextualInversionStep step = new TextualInversionStep(networks, placeholderIds);
            LossLog log = LossLog.open(outputDir, startStep);
            RunOutputs outputs = new RunOutputs(outputDir, trigger, vectorCount, new VectorRows(networks.text().widths()),
                    services.codecs());

            Checkpoint.Recipe recipe = new Checkpoint.Recipe(seed, trigger, vectorCount, width, datasetFingerprint,
                    modelFingerprint, request, runId);
            TrainingLoop loop = new TrainingLoop(step, batches::batch, optimizer, schedule::multiplier, learningRate,
                    request.trainBatchSize(), request.gradientAccumulationSteps());
            long started = System.nanoTime();
            observer.status(TrainingStatus.RUNNING, "Training " + trigger + " on " + dataset.images().size()
                    + " images from step " + startStep + " of " + request.maxTrainSteps());
            for (long done = startStep; done < request.maxTrainSteps(); done++) {
                if (observer.stopRequested()) {
                    // no learned_embeds.bin: a stopped run's embedding is not a result, its checkpoint resumes it
                    Path saved = done > startStep ? recipe.at(done, vectors, optimizer).save(outputDir)
                            : outputDir.resolve(Checkpoint.FOLDER_PREFIX + done);
                    return new Result(TrainingStatus.STOPPED, done, outputDir, Optional.empty(), "Stopped at step " + done
                            + (Files.isDirectory(saved) ? "; state saved in " + saved + ". Resume with"
                            + " --resume_from_checkpoint latest." : " before any training step, so there is no checkpoint to resume from."));
                }
                TrainingLoop.Step stepped = loop.run(manager, vectors, done);
                double loss = stepped.loss();
                double lr = stepped.lr();
                if (!stepped.finite()) {
                    // kept as an intermediate file: a diverged run has no final learned_embeds.bin
                    Path kept = outputs.writeIntermediate(done, vectors);
                    String what = Double.isFinite(loss) ? "The gradient became NaN or infinite" : "The loss became " + loss;
                    return new Result(TrainingStatus.FAILED, done, outputDir, Optional.empty(), what
                            + " at step " + (done + 1) + "; training stopped and kept the embedding of step " + done
                            + " in " + kept + ". Lower --learning_rate, or train with --mixed_precision=no.");
                }
                long global = done + 1;
                double seconds = (System.nanoTime() - started) / 1e9;
                log.append(new LossLog.Row(global, loss, lr, seconds));
                observer.stepDone(global, request.maxTrainSteps(), loss, lr);
                watch.afterStep(manager, global, loss, stepped.gradientNorm(), vectors);
                if (global % request.saveSteps() == 0) {
                    outputs.writeIntermediate(global, vectors);
                }
                if (global % request.checkpointingSteps() == 0) {
                    recipe.at(global, vectors, optimizer).save(outputDir);
                    if (request.checkpointsTotalLimit() != null) {
                        Checkpoint.prune(outputDir, request.checkpointsTotalLimit());
                    }
                }
            }
            watch.atEnd(manager, request.maxTrainSteps(), vectors);
            outputs.writeFinal(vectors);
            outputs.plotLoss(log);
            Path installed = install(outputs.installable(vectors), outputs.finalFile());
            return new Result(TrainingStatus.COMPLETED, request.maxTrainSteps(), outputDir, Optional.of(installed),
                    "Trained " + trigger + " in " + request.maxTrainSteps() + " steps: " + outputs.finalFile()
                            + ", installed as " + installed + ". Use " + trigger + " in a prompt.");
        }
    }

    /**
     * The run's learning report and, with {@code --validation_prompt}, its validation images (DPM++ 2M from the
     * sampler services); without the flag nothing is loaded or drawn.
     */
    private LearningWatch learningWatch(DiffusersFolder model, FrozenNetworks networks, float[] initializer, long seed,
                                        Path outputDir) {
        LearningReport report = new LearningReport(initializer);
        if (!request.validates()) {
            return new LearningWatch(report, Optional.empty(), request.maxTrainSteps(), observer);
        }
        ImageGenerator.unsupported(model.index()).ifPresent(reason -> {
            throw new IllegalArgumentException("--validation_prompt: " + reason);
        });
        Sampler sampler = services.samplers().apply(ValidationImages.SAMPLER).orElseThrow(() -> new IllegalStateException(
                "--validation_prompt needs the " + ValidationImages.SAMPLER + " sampler, which no bundle provides:"
                        + " start the schedulers bundle, or train without --validation_prompt"));
        ImageGenerator generator = new ImageGenerator(model, networks.textEncoder(), networks.unet(), networks.vae());
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
    private LiveSchedule.Listener scheduleListener() {
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
                                             String modelFingerprint) throws IOException {
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

    private static long[] toLongs(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return longs;
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.osgi.framework.BundleContext;

/**
 * One textual-inversion run from request to files: diffusers' {@code textual_inversion.py} with a
 * latent cache, resumable checkpoints and invokeai-ti's output layout.
 */
public final class TextualInversionRun {

    /** The services a run uses; the trainer component supplies them. */
    public record Services(TorchEngine torch, DatasetLoader datasets, BundleContext context,
                           Function<String, EmbeddingCodec> codecs, EmbeddingInstaller installer) {}

    /** Puts the finished embedding where InvokeAI finds it; returns the file written. */
    @FunctionalInterface
    public interface EmbeddingInstaller {
        Path install(Embedding embedding) throws IOException;
    }

    /** How a run ended. */
    public record Result(TrainingStatus status, long step, Path outputDir, Optional<Path> installed, String message) {}

    static final String BIN_FORMAT = "learned_embeds_bin";
    static final String SAFETENSORS_FORMAT = "diffusers_safetensors";

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

    /** Checks what can be checked without loading anything; the messages name the flag. */
    public static void validate(TrainingRequest request) {
        if ("bf16".equals(request.mixedPrecision())) {
            throw new IllegalArgumentException("--mixed_precision=bf16 is not supported: DJL 0.36 cannot hold bfloat16"
                    + " tensors (it aborts the JVM). Use --mixed_precision=fp16 or --mixed_precision=no.");
        }
        if (!"no".equals(request.mixedPrecision()) && !"fp16".equals(request.mixedPrecision())) {
            throw new IllegalArgumentException("--mixed_precision must be no, fp16 or bf16, not " + request.mixedPrecision());
        }
        if ("fp16".equals(request.mixedPrecision()) && !request.fusedAttention()) {
            throw new IllegalArgumentException("--mixed_precision=fp16 needs the fused kernels: drop --no_fused_attention,"
                    + " or train with --mixed_precision=no.");
        }
        requirePositive("--max_train_steps", request.maxTrainSteps());
        requirePositive("--train_batch_size", request.trainBatchSize());
        requirePositive("--gradient_accumulation_steps", request.gradientAccumulationSteps());
        requirePositive("--num_vectors", request.numVectors());
        requirePositive("--save_steps", request.saveSteps());
        requirePositive("--checkpointing_steps", request.checkpointingSteps());
        if (request.lrWarmupSteps() < 0) {
            throw new IllegalArgumentException("--lr_warmup_steps must not be negative, not " + request.lrWarmupSteps());
        }
        if (!(request.learningRate() > 0)) {
            throw new IllegalArgumentException("--learning_rate must be positive, not " + request.learningRate());
        }
        if (request.checkpointsTotalLimit() != null && request.checkpointsTotalLimit() < 1) {
            throw new IllegalArgumentException("--checkpoints_total_limit must be at least 1, not " + request.checkpointsTotalLimit());
        }
        PromptTemplates.forProperty(request.learnableProperty());
    }

    private static void requirePositive(String flag, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + " must be at least 1, not " + value);
        }
    }

    /** The output folder the request writes to. */
    public Path outputDir() {
        return request.outputDir() != null ? request.outputDir() : root.trainingOutput(request.placeholderToken());
    }

    public Result run() throws IOException, InterruptedException {
        validate(request);
        String trigger = request.placeholderToken();
        Path modelDir = ModelLocator.locate(request.model(), root);
        Path dataDir = request.trainDataDir() != null ? request.trainDataDir() : root.trainingData(trigger);
        Path outputDir = outputDir();
        int vectorCount = request.numVectors();

        DiffusersFolder model = DiffusersFolder.open(modelDir, WeightFiles.OPENER);
        ClipTokenizer tokenizer = ClipTokenizer.load(model.tokenizerFolder());
        int initializerId = tokenizer.initializerTokenId(request.initializerToken());
        int[] placeholderIds = tokenizer.addPlaceholderTokens(trigger, vectorCount);
        String expandedTrigger = ClipTokenizer.expandPlaceholder(trigger, vectorCount);
        TrainingDataset dataset = services.datasets().load(new DatasetOptions(dataDir, request.resolution(),
                request.centerCrop(), request.repeats(), expandedTrigger));
        dataset.skippedWarning().ifPresent(observer::notice);
        PromptTemplates templates = PromptTemplates.forProperty(request.learnableProperty());

        Files.createDirectories(outputDir.resolve("logs"));
        observer = new LoggedObserver(observer, outputDir.resolve("logs").resolve("train.log"));
        observer.notice("Run of " + trigger + ": model " + modelDir + ", images " + dataDir + ", output " + outputDir);
        String datasetFingerprint = RunFingerprint.ofDataset(dataDir, request.resolution(), request.centerCrop());
        String modelFingerprint = RunFingerprint.ofModel(modelDir);
        Optional<Checkpoint> resumed = resumePoint(outputDir, datasetFingerprint, modelFingerprint);
        long seed = resumed.map(Checkpoint::seed)
                .orElseGet(() -> request.seed() != null ? request.seed() : new SecureRandom().nextLong());
        long startStep = resumed.map(Checkpoint::step).orElse(0L);
        double learningRate = request.scaleLr()
                ? request.learningRate() * request.gradientAccumulationSteps() * request.trainBatchSize()
                : request.learningRate();
        AdamW.Settings adam = new AdamW.Settings(request.adamBeta1(), request.adamBeta2(), request.adamWeightDecay(),
                request.adamEpsilon());
        ScheduleSettings scheduleSettings = new ScheduleSettings(request.lrWarmupSteps(), request.maxTrainSteps(),
                learningRate, request.lrSchedulerParameters());

        // libtorch's grad mode is per thread and on for new threads: off outside the gradient collector.
        JniUtils.setGradMode(false);
        try (NDManager manager = services.torch().newManager(services.torch().device(request.device()));
             LiveSchedule schedule = LiveSchedule.follow(services.context(), request.lrScheduler(), scheduleSettings,
                     this::scheduleNotice);
             KernelChoice kernels = KernelChoice.of(request.fusedAttention(), "fp16".equals(request.mixedPrecision()),
                     manager, observer::notice)) {
            FrozenNetworks networks = FrozenNetworks.load(model, manager, "fp16".equals(request.mixedPrecision()),
                    kernels.kernels());
            int width = networks.tokenWidth();
            float[] vectors;
            AdamW optimizer;
            if (resumed.isPresent()) {
                Checkpoint checkpoint = resumed.get();
                vectors = checkpoint.vectors();
                optimizer = new AdamW(adam, checkpoint.firstMoment(), checkpoint.secondMoment(), checkpoint.step());
                observer.notice("Resuming from " + outputDir.resolve(Checkpoint.FOLDER_PREFIX + checkpoint.step())
                        + " at step " + checkpoint.step());
            } else {
                float[] initializer = networks.textEncoder().tokenEmbeddingRow(manager, initializerId).toFloatArray();
                vectors = new float[vectorCount * width];
                for (int i = 0; i < vectorCount; i++) {
                    System.arraycopy(initializer, 0, vectors, i * width, width);
                }
                optimizer = new AdamW(adam, vectors.length);
            }

            LatentCache latents = LatentCache.encode(networks.vae(), manager, bothWays(dataset), request.resolution());
            TrainingRandom random = new TrainingRandom(seed, dataset.images().size(), dataset.repeats(), templates.size(),
                    networks.schedule().numTrainTimesteps(), dataset.flipProbability());
            DeviceBatches batches = new DeviceBatches(random, latents, dataset, templates, tokenizer, expandedTrigger,
                    networks.schedule(), manager);
            TextualInversionStep step = new TextualInversionStep(networks, toLongs(placeholderIds));
            LossLog log = LossLog.open(outputDir, startStep);
            RunOutputs outputs = new RunOutputs(outputDir, trigger, vectorCount, width, services.codecs());

            Checkpoint.Recipe recipe = new Checkpoint.Recipe(seed, trigger, vectorCount, width, datasetFingerprint,
                    modelFingerprint, request);
            long started = System.nanoTime();
            observer.status(TrainingStatus.RUNNING, "Training " + trigger + " on " + dataset.images().size()
                    + " images from step " + startStep + " of " + request.maxTrainSteps());
            // Its tensors live in sub-managers of the run's manager, which frees them when the run ends.
            DeviceTraining device = new DeviceTraining(step, batches, vectors, vectorCount, optimizer,
                    request.trainBatchSize(), request.gradientAccumulationSteps(), manager);
            for (long done = startStep; done < request.maxTrainSteps(); done++) {
                if (observer.stopRequested()) {
                    Path saved = recipe.at(done, device.vectors(), device.optimizer()).save(outputDir);
                    outputs.writeFinal(device.vectors());
                    return new Result(TrainingStatus.STOPPED, done, outputDir, Optional.empty(), "Stopped at step " + done
                            + "; state saved in " + saved + ". Resume with --resume_from_checkpoint latest.");
                }
                double lr = learningRate * schedule.multiplier(done);
                DeviceTraining.StepResult result = device.step(done, lr);
                double loss = result.loss();
                if (!result.finite()) {
                    // The update of this step was not applied: the vectors are those of step `done`.
                    Path kept = outputs.writeFinal(device.vectors());
                    String what = result.lossFinite() ? "The gradient became NaN or infinite" : "The loss became " + loss;
                    return new Result(TrainingStatus.FAILED, done, outputDir, Optional.empty(), what
                            + " at step " + (done + 1) + "; training stopped and kept the embedding of step " + done
                            + " in " + kept + ". Lower --learning_rate, or train with --mixed_precision=no.");
                }
                long global = done + 1;
                double seconds = (System.nanoTime() - started) / 1e9;
                log.append(new LossLog.Row(global, loss, lr, seconds));
                observer.stepDone(global, request.maxTrainSteps(), loss, lr);
                if (global % request.saveSteps() == 0) {
                    outputs.writeIntermediate(global, device.vectors());
                }
                if (global % request.checkpointingSteps() == 0) {
                    recipe.at(global, device.vectors(), device.optimizer()).save(outputDir);
                    if (request.checkpointsTotalLimit() != null) {
                        Checkpoint.prune(outputDir, request.checkpointsTotalLimit());
                    }
                }
            }
            vectors = device.vectors();
            outputs.writeFinal(vectors);
            outputs.plotLoss(log);
            Path installed = services.installer().install(outputs.embedding(vectors));
            return new Result(TrainingStatus.COMPLETED, request.maxTrainSteps(), outputDir, Optional.of(installed),
                    "Trained " + trigger + " in " + request.maxTrainSteps() + " steps: " + outputDir.resolve("learned_embeds.bin")
                            + ", installed as " + installed + ". Use " + trigger + " in a prompt.");
        }
    }

    /** LiveSchedule reports a missing provider with "waits for"; the job shows it as paused. */
    private void scheduleNotice(String message) {
        if (message.contains("waits for")) {
            observer.status(TrainingStatus.PAUSED, message);
        } else {
            observer.notice(message);
        }
    }

    private Optional<Checkpoint> resumePoint(Path outputDir, String datasetFingerprint, String modelFingerprint)
            throws IOException {
        String wanted = request.resumeFromCheckpoint();
        if (wanted == null || wanted.isBlank()) {
            return Optional.empty();
        }
        Optional<Path> folder;
        if (wanted.equals("latest")) {
            folder = Checkpoint.latest(outputDir);
            if (folder.isEmpty()) {
                observer.notice("No checkpoint in " + outputDir + " to resume from; starting a new training run.");
                return Optional.empty();
            }
        } else {
            Path given = Path.of(wanted);
            folder = Optional.of(given.isAbsolute() || Files.isDirectory(given) ? given : outputDir.resolve(given));
        }
        Checkpoint checkpoint = Checkpoint.load(folder.get());
        String refusal = "Cannot resume from " + folder.get() + ": ";
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
        if (!checkpoint.modelFingerprint().equals(modelFingerprint)) {
            throw new IllegalArgumentException(refusal + "it was trained on another model than --model " + request.model()
                    + ". Resume with the same model, or start a new run with another --output_dir.");
        }
        return Optional.of(checkpoint);
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

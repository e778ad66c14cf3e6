package org.neologism.core.training;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a textual-inversion run needs, under invokeai-ti's option names. Immutable; read and written
 * by Jackson so a checkpoint can record the run's configuration. Build one with {@link #builder(String)},
 * whose starting values are invokeai-ti's command-line defaults (the one place they live), or change one
 * with {@link #toBuilder()}. {@link #validate()} lists what is wrong with the values themselves; whether
 * the model, the images and the device exist is the {@link Trainer}'s question.
 *
 * <p>{@code resolution} is null when not given: the trainer then takes {@link #DEFAULT_RESOLUTION}, as
 * diffusers' script does, or for an SDXL model that model's own size ({@link #withModelResolution}).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainingRequest(
        String model,
        String placeholderToken,
        String initializerToken,
        LearnableProperty learnableProperty,
        int numVectors,
        Integer resolution,
        boolean centerCrop,
        int repeats,
        int trainBatchSize,
        int gradientAccumulationSteps,
        int maxTrainSteps,
        double learningRate,
        boolean scaleLr,
        String lrScheduler,
        int lrWarmupSteps,
        Map<String, String> lrSchedulerParameters,
        double adamBeta1,
        double adamBeta2,
        double adamWeightDecay,
        double adamEpsilon,
        MixedPrecision mixedPrecision,
        boolean gradientCheckpointing,
        boolean fusedAttention,
        int checkpointingSteps,
        Integer checkpointsTotalLimit,
        String resumeFromCheckpoint,
        int saveSteps,
        boolean onlySaveEmbeds,
        Long seed,
        DeviceChoice device,
        Path root,
        Path outputDir,
        Path trainDataDir,
        boolean overwriteOutputDir,
        String validationPrompt,
        int numValidationImages,
        int validationSteps,
        Path originalConfig,
        String predictionType,
        Path tokenizer,
        Integer cpuThreads) {

    /** {@code --resolution} when not given, for SD 1.x/2.x models: diffusers' script's default. */
    public static final int DEFAULT_RESOLUTION = 512;

    /** The pixel grid every model's VAE and UNet downsample by: a resolution must be a multiple of it. */
    public static final int RESOLUTION_STEP = 8;

    /** The model a command uses when none is named, as invokeai-ti's default: a name under {@code <root>/models}. */
    public static final String DEFAULT_MODEL = "stable-diffusion-1.5";

    public TrainingRequest {
        Objects.requireNonNull(placeholderToken, "placeholder_token");
        learnableProperty = learnableProperty == null ? LearnableProperty.OBJECT : learnableProperty;
        mixedPrecision = mixedPrecision == null ? MixedPrecision.NO : mixedPrecision;
        device = device == null ? DeviceChoice.AUTO : device;
        lrSchedulerParameters = lrSchedulerParameters == null ? Map.of() : Map.copyOf(lrSchedulerParameters);
    }

    /** A request of 2.0.0's fields, without validation images (kept so 2.0 callers still compile). */
    public TrainingRequest(String model, String placeholderToken, String initializerToken,
                           LearnableProperty learnableProperty, int numVectors, int resolution, boolean centerCrop,
                           int repeats, int trainBatchSize, int gradientAccumulationSteps, int maxTrainSteps,
                           double learningRate, boolean scaleLr, String lrScheduler, int lrWarmupSteps,
                           Map<String, String> lrSchedulerParameters, double adamBeta1, double adamBeta2,
                           double adamWeightDecay, double adamEpsilon, MixedPrecision mixedPrecision,
                           boolean gradientCheckpointing, boolean fusedAttention, int checkpointingSteps,
                           Integer checkpointsTotalLimit, String resumeFromCheckpoint, int saveSteps, boolean onlySaveEmbeds,
                           Long seed, DeviceChoice device, Path root, Path outputDir, Path trainDataDir,
                           boolean overwriteOutputDir) {
        this(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution, centerCrop, repeats,
                trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr, lrScheduler, lrWarmupSteps,
                lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon, mixedPrecision,
                gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit, resumeFromCheckpoint,
                saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, overwriteOutputDir, null, 4, 100);
    }

    /** A request whose single-file options are all "infer it" (a diffusers model, or a file needing none). */
    public TrainingRequest(String model, String placeholderToken, String initializerToken,
                           LearnableProperty learnableProperty, int numVectors, int resolution, boolean centerCrop,
                           int repeats, int trainBatchSize, int gradientAccumulationSteps, int maxTrainSteps,
                           double learningRate, boolean scaleLr, String lrScheduler, int lrWarmupSteps,
                           Map<String, String> lrSchedulerParameters, double adamBeta1, double adamBeta2,
                           double adamWeightDecay, double adamEpsilon, MixedPrecision mixedPrecision,
                           boolean gradientCheckpointing, boolean fusedAttention, int checkpointingSteps,
                           Integer checkpointsTotalLimit, String resumeFromCheckpoint, int saveSteps, boolean onlySaveEmbeds,
                           Long seed, DeviceChoice device, Path root, Path outputDir, Path trainDataDir,
                           boolean overwriteOutputDir, String validationPrompt, int numValidationImages,
                           int validationSteps) {
        this(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution, centerCrop, repeats,
                trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr, lrScheduler, lrWarmupSteps,
                lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon, mixedPrecision,
                gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit, resumeFromCheckpoint,
                saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, overwriteOutputDir,
                validationPrompt, numValidationImages, validationSteps, null, null, null, null);
    }

    /** A request of 3.0.0's fields, with the host's CPU threads (kept so 3.0 callers still compile). */
    public TrainingRequest(String model, String placeholderToken, String initializerToken,
                           LearnableProperty learnableProperty, int numVectors, Integer resolution, boolean centerCrop,
                           int repeats, int trainBatchSize, int gradientAccumulationSteps, int maxTrainSteps,
                           double learningRate, boolean scaleLr, String lrScheduler, int lrWarmupSteps,
                           Map<String, String> lrSchedulerParameters, double adamBeta1, double adamBeta2,
                           double adamWeightDecay, double adamEpsilon, MixedPrecision mixedPrecision,
                           boolean gradientCheckpointing, boolean fusedAttention, int checkpointingSteps,
                           Integer checkpointsTotalLimit, String resumeFromCheckpoint, int saveSteps, boolean onlySaveEmbeds,
                           Long seed, DeviceChoice device, Path root, Path outputDir, Path trainDataDir,
                           boolean overwriteOutputDir, String validationPrompt, int numValidationImages,
                           int validationSteps, Path originalConfig, String predictionType, Path tokenizer) {
        this(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution, centerCrop, repeats,
                trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr, lrScheduler, lrWarmupSteps,
                lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon, mixedPrecision,
                gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit, resumeFromCheckpoint,
                saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir, overwriteOutputDir,
                validationPrompt, numValidationImages, validationSteps, originalConfig, predictionType, tokenizer, null);
    }

    /** invokeai-ti's command-line defaults for a trigger, folders left to the root layout. */
    public static TrainingRequest defaults(String placeholderToken) {
        return builder(placeholderToken).build();
    }

    /** A builder that starts from invokeai-ti's command-line defaults. */
    public static Builder builder(String placeholderToken) {
        return new Builder().placeholderToken(Objects.requireNonNull(placeholderToken, "placeholder_token"));
    }

    /** A builder that starts from this request. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** {@code --validation_prompt} given: the run draws images of it as it trains. */
    public boolean validates() {
        return validationPrompt != null && !validationPrompt.isBlank();
    }

    /** {@code --mixed_precision=fp16}: the frozen networks in half precision. */
    public boolean halfPrecision() {
        return mixedPrecision.isHalf();
    }

    /**
     * Every problem of the values themselves, each a sentence that names its flag and the fix; empty when
     * the request can be handed to a trainer.
     */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (placeholderToken.isBlank()) {
            problems.add("--placeholder_token is required: the trigger term to learn, e.g. --placeholder_token '<psychedelic>'");
        } else if (placeholderToken.strip().replaceAll("^[<>]+|[<>]+$", "").isBlank()) {
            problems.add("--placeholder_token " + placeholderToken + " has no name between its < >: use e.g. <psychedelic>");
        }
        if (model == null || model.isBlank()) {
            problems.add("--model is required: a diffusers model folder or the name of one under <root>/models");
        }
        if (initializerToken == null || initializerToken.isBlank()) {
            problems.add("--initializer_token must be one existing token such as * or cat, not empty");
        }
        if (mixedPrecision == MixedPrecision.BF16) {
            problems.add("--mixed_precision=bf16 is not supported: DJL 0.36 cannot hold bfloat16"
                    + " tensors (it aborts the JVM). Use --mixed_precision=fp16 or --mixed_precision=no.");
        }
        if (mixedPrecision == MixedPrecision.FP16 && !fusedAttention) {
            problems.add("--mixed_precision=fp16 needs the fused kernels: drop --no_fused_attention,"
                    + " or train with --mixed_precision=no.");
        }
        if (resolution != null && (resolution < RESOLUTION_STEP || resolution % RESOLUTION_STEP != 0)) {
            problems.add("--resolution must be a positive multiple of " + RESOLUTION_STEP + " (the VAE's pixel grid), such"
                    + " as 512 or 768, not " + resolution);
        }
        requirePositive(problems, "--max_train_steps", maxTrainSteps);
        requirePositive(problems, "--train_batch_size", trainBatchSize);
        requirePositive(problems, "--gradient_accumulation_steps", gradientAccumulationSteps);
        requirePositive(problems, "--num_vectors", numVectors);
        requirePositive(problems, "--repeats", repeats);
        requirePositive(problems, "--save_steps", saveSteps);
        requirePositive(problems, "--checkpointing_steps", checkpointingSteps);
        if (lrWarmupSteps < 0) {
            problems.add("--lr_warmup_steps must not be negative, not " + lrWarmupSteps);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            problems.add("--learning_rate must be positive, not " + learningRate);
        }
        if (lrScheduler == null || lrScheduler.isBlank()) {
            problems.add("--lr_scheduler is required: a schedule name such as constant or cosine (ti:schedulers lists them)");
        }
        if (overwriteOutputDir && resumeFromCheckpoint != null && !resumeFromCheckpoint.isBlank()) {
            problems.add("--overwrite_output_dir starts a new run, --resume_from_checkpoint continues one: pass only one"
                    + " of them.");
        }
        if (predictionType != null && !predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
            problems.add("--prediction_type must be epsilon or v_prediction, not " + predictionType);
        }
        if (checkpointsTotalLimit != null && checkpointsTotalLimit < 1) {
            problems.add("--checkpoints_total_limit must be at least 1, not " + checkpointsTotalLimit);
        }
        if (validates()) {
            requirePositive(problems, "--num_validation_images", numValidationImages);
            requirePositive(problems, "--validation_steps", validationSteps);
        }
        if (cpuThreads != null && cpuThreads < 1) {
            problems.add("--cpu_threads must be at least 1, not " + cpuThreads + " (leave it out for the configured number)");
        }
        return List.copyOf(problems);
    }

    /**
     * This request with a resolution: the given one always, else {@code modelResolution}, the model's choice
     * ({@link #DEFAULT_RESOLUTION}, or an SDXL model's own size).
     */
    public TrainingRequest withModelResolution(int modelResolution) {
        return resolution != null ? this : toBuilder().resolution(modelResolution).build();
    }

    /** @throws InvalidTrainingRequestException with every problem {@link #validate()} finds */
    public TrainingRequest requireValid() {
        List<String> problems = validate();
        if (!problems.isEmpty()) {
            throw new InvalidTrainingRequestException(problems);
        }
        return this;
    }

    private static void requirePositive(List<String> problems, String flag, int value) {
        if (value < 1) {
            problems.add(flag + " must be at least 1, not " + value);
        }
    }

    /** A request under construction; its fields start at invokeai-ti's command-line defaults. */
    public static final class Builder {
        private String model = DEFAULT_MODEL;
        private String placeholderToken = "";
        private String initializerToken = "*";
        private LearnableProperty learnableProperty = LearnableProperty.OBJECT;
        private int numVectors = 1;
        /** Not given: the model's, see {@link TrainingRequest#withModelResolution}. */
        private Integer resolution;
        private boolean centerCrop;
        private int repeats = 100;
        private int trainBatchSize = 8;
        private int gradientAccumulationSteps = 1;
        private int maxTrainSteps = 5000;
        private double learningRate = 1e-4;
        private boolean scaleLr = true;
        private String lrScheduler = "constant";
        private int lrWarmupSteps = 500;
        private Map<String, String> lrSchedulerParameters = new LinkedHashMap<>();
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamWeightDecay = 1e-2;
        private double adamEpsilon = 1e-8;
        private MixedPrecision mixedPrecision = MixedPrecision.NO;
        private boolean gradientCheckpointing;
        private boolean fusedAttention = true;
        private int checkpointingSteps = 500;
        private Integer checkpointsTotalLimit;
        private String resumeFromCheckpoint;
        private int saveSteps = 500;
        private boolean onlySaveEmbeds = true;
        private Long seed;
        private DeviceChoice device = DeviceChoice.AUTO;
        private Path root;
        private Path outputDir;
        private Path trainDataDir;
        private boolean overwriteOutputDir;
        private String validationPrompt;
        private int numValidationImages = 4;
        private int validationSteps = 100;
        private Path originalConfig;
        private String predictionType;
        private Path tokenizer;
        private Integer cpuThreads;

        Builder() {}

        Builder(TrainingRequest r) {
            model = r.model;
            placeholderToken = r.placeholderToken;
            initializerToken = r.initializerToken;
            learnableProperty = r.learnableProperty;
            numVectors = r.numVectors;
            resolution = r.resolution;
            centerCrop = r.centerCrop;
            repeats = r.repeats;
            trainBatchSize = r.trainBatchSize;
            gradientAccumulationSteps = r.gradientAccumulationSteps;
            maxTrainSteps = r.maxTrainSteps;
            learningRate = r.learningRate;
            scaleLr = r.scaleLr;
            lrScheduler = r.lrScheduler;
            lrWarmupSteps = r.lrWarmupSteps;
            lrSchedulerParameters = new LinkedHashMap<>(r.lrSchedulerParameters);
            adamBeta1 = r.adamBeta1;
            adamBeta2 = r.adamBeta2;
            adamWeightDecay = r.adamWeightDecay;
            adamEpsilon = r.adamEpsilon;
            mixedPrecision = r.mixedPrecision;
            gradientCheckpointing = r.gradientCheckpointing;
            fusedAttention = r.fusedAttention;
            checkpointingSteps = r.checkpointingSteps;
            checkpointsTotalLimit = r.checkpointsTotalLimit;
            resumeFromCheckpoint = r.resumeFromCheckpoint;
            saveSteps = r.saveSteps;
            onlySaveEmbeds = r.onlySaveEmbeds;
            seed = r.seed;
            device = r.device;
            root = r.root;
            outputDir = r.outputDir;
            trainDataDir = r.trainDataDir;
            overwriteOutputDir = r.overwriteOutputDir;
            validationPrompt = r.validationPrompt;
            numValidationImages = r.numValidationImages;
            validationSteps = r.validationSteps;
            originalConfig = r.originalConfig;
            predictionType = r.predictionType;
            tokenizer = r.tokenizer;
            cpuThreads = r.cpuThreads;
        }

        public Builder model(String value) { model = value; return this; }
        public Builder placeholderToken(String value) { placeholderToken = Objects.requireNonNull(value); return this; }
        public Builder initializerToken(String value) { initializerToken = value; return this; }
        public Builder learnableProperty(LearnableProperty value) { learnableProperty = value; return this; }
        public Builder numVectors(int value) { numVectors = value; return this; }
        public Builder resolution(int value) { resolution = value; return this; }
        public Builder centerCrop(boolean value) { centerCrop = value; return this; }
        public Builder repeats(int value) { repeats = value; return this; }
        public Builder trainBatchSize(int value) { trainBatchSize = value; return this; }
        public Builder gradientAccumulationSteps(int value) { gradientAccumulationSteps = value; return this; }
        public Builder maxTrainSteps(int value) { maxTrainSteps = value; return this; }
        public Builder learningRate(double value) { learningRate = value; return this; }
        public Builder scaleLr(boolean value) { scaleLr = value; return this; }
        public Builder lrScheduler(String value) { lrScheduler = value; return this; }
        public Builder lrWarmupSteps(int value) { lrWarmupSteps = value; return this; }
        /** One parameter of the schedule ({@code num_cycles}, {@code power}, {@code step_rules}). */
        public Builder lrSchedulerParameter(String name, String value) { lrSchedulerParameters.put(name, value); return this; }
        public Builder adamBeta1(double value) { adamBeta1 = value; return this; }
        public Builder adamBeta2(double value) { adamBeta2 = value; return this; }
        public Builder adamWeightDecay(double value) { adamWeightDecay = value; return this; }
        public Builder adamEpsilon(double value) { adamEpsilon = value; return this; }
        public Builder mixedPrecision(MixedPrecision value) { mixedPrecision = value; return this; }
        public Builder gradientCheckpointing(boolean value) { gradientCheckpointing = value; return this; }
        public Builder fusedAttention(boolean value) { fusedAttention = value; return this; }
        public Builder checkpointingSteps(int value) { checkpointingSteps = value; return this; }
        public Builder checkpointsTotalLimit(Integer value) { checkpointsTotalLimit = value; return this; }
        public Builder resumeFromCheckpoint(String value) { resumeFromCheckpoint = value; return this; }
        public Builder saveSteps(int value) { saveSteps = value; return this; }
        public Builder onlySaveEmbeds(boolean value) { onlySaveEmbeds = value; return this; }
        public Builder seed(Long value) { seed = value; return this; }
        public Builder device(DeviceChoice value) { device = value; return this; }
        public Builder root(Path value) { root = value; return this; }
        public Builder outputDir(Path value) { outputDir = value; return this; }
        public Builder trainDataDir(Path value) { trainDataDir = value; return this; }
        public Builder validationPrompt(String value) { validationPrompt = value; return this; }
        public Builder numValidationImages(int value) { numValidationImages = value; return this; }
        public Builder validationSteps(int value) { validationSteps = value; return this; }
        /** {@code --original_config}: a single file's LDM YAML, or a diffusers folder with its configs; null infers them. */
        public Builder originalConfig(Path value) { originalConfig = value; return this; }
        /** {@code --prediction_type} epsilon or v_prediction for a single file; null takes the YAML's or the family's. */
        public Builder predictionType(String value) { predictionType = value; return this; }
        /** {@code --tokenizer}: a tokenizer folder for a single file; null for CLIP's bundled vocabulary. */
        public Builder tokenizer(Path value) { tokenizer = value; return this; }
        /** {@code --cpu_threads}: libtorch's CPU threads for this run; null for the configured number. */
        public Builder cpuThreads(Integer value) { cpuThreads = value; return this; }
        /** {@code --overwrite_output_dir}: move an earlier run's outputs aside instead of refusing the folder. */
        public Builder overwriteOutputDir(boolean value) { overwriteOutputDir = value; return this; }

        public TrainingRequest build() {
            return new TrainingRequest(model, placeholderToken, initializerToken, learnableProperty, numVectors, resolution,
                    centerCrop, repeats, trainBatchSize, gradientAccumulationSteps, maxTrainSteps, learningRate, scaleLr,
                    lrScheduler, lrWarmupSteps, lrSchedulerParameters, adamBeta1, adamBeta2, adamWeightDecay, adamEpsilon,
                    mixedPrecision, gradientCheckpointing, fusedAttention, checkpointingSteps, checkpointsTotalLimit,
                    resumeFromCheckpoint, saveSteps, onlySaveEmbeds, seed, device, root, outputDir, trainDataDir,
                    overwriteOutputDir, validationPrompt, numValidationImages, validationSteps, originalConfig,
                    predictionType, tokenizer, cpuThreads);
        }
    }
}

package org.neologism.trainer.shell;

import static org.neologism.core.training.TrainingRequest.DEFAULT_ADAM_BETA1;
import static org.neologism.core.training.TrainingRequest.DEFAULT_ADAM_BETA2;
import static org.neologism.core.training.TrainingRequest.DEFAULT_ADAM_EPSILON;
import static org.neologism.core.training.TrainingRequest.DEFAULT_ADAM_WEIGHT_DECAY;
import static org.neologism.core.training.TrainingRequest.DEFAULT_CHECKPOINTING_STEPS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_GRADIENT_ACCUMULATION_STEPS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_INITIALIZER;
import static org.neologism.core.training.TrainingRequest.DEFAULT_LEARNABLE_PROPERTY;
import static org.neologism.core.training.TrainingRequest.DEFAULT_LEARNING_RATE;
import static org.neologism.core.training.TrainingRequest.DEFAULT_LR_SCHEDULER;
import static org.neologism.core.training.TrainingRequest.DEFAULT_LR_WARMUP_STEPS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_MAX_TRAIN_STEPS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_MIXED_PRECISION;
import static org.neologism.core.training.TrainingRequest.DEFAULT_MODEL;
import static org.neologism.core.training.TrainingRequest.DEFAULT_NUM_VECTORS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_REPEATS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_RESOLUTION;
import static org.neologism.core.training.TrainingRequest.DEFAULT_SAVE_STEPS;
import static org.neologism.core.training.TrainingRequest.DEFAULT_TRAIN_BATCH_SIZE;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.Trainer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:train}, {@code ti:status} and {@code ti:stop}. Every option of invokeai-ti under its name,
 * with its default; {@code help ti:train} is the manual. The work happens in the {@link Trainer} service.
 */
@Component(service = TrainCommands.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=train",
    "osgi.command.function=status",
    "osgi.command.function=stop"
})
public class TrainCommands {

    private static final String NONE = "";

    private final Trainer trainer;

    @Activate
    public TrainCommands(@Reference Trainer trainer) {
        this.trainer = trainer;
    }

    @Descriptor("Learn a trigger's embedding from a folder of images (textual inversion, as diffusers and invokeai-ti"
            + " train it). Runs in the background; ti:status shows progress, ti:stop checkpoints and stops. With --wait it"
            + " runs in the foreground with a progress bar.")
    public long train(
            @Descriptor("a diffusers model folder, a .safetensors/.ckpt checkpoint, or the name of one under <root>/models or in"
                    + " configs/models.yaml (default " + DEFAULT_MODEL + ")")
            @Parameter(names = "--model", absentValue = DEFAULT_MODEL) String model,
            @Descriptor("the trigger term to learn, e.g. <psychedelic> (required)")
            @Parameter(names = {"--placeholder_token", "--trigger"}, absentValue = NONE) String placeholderToken,
            @Descriptor("an existing single token the vectors start from (default " + DEFAULT_INITIALIZER + ")")
            @Parameter(names = "--initializer_token", absentValue = DEFAULT_INITIALIZER) String initializerToken,
            @Descriptor("object or style: which prompt templates to train with (default " + DEFAULT_LEARNABLE_PROPERTY + ")")
            @Parameter(names = "--learnable_property", absentValue = DEFAULT_LEARNABLE_PROPERTY) String learnableProperty,
            @Descriptor("vectors per trigger (default " + DEFAULT_NUM_VECTORS + ")")
            @Parameter(names = "--num_vectors", absentValue = "" + DEFAULT_NUM_VECTORS) int numVectors,
            @Descriptor("image side in pixels; 768 for SD 2.x 768 models (default " + DEFAULT_RESOLUTION + ")")
            @Parameter(names = "--resolution", absentValue = "" + DEFAULT_RESOLUTION) int resolution,
            @Descriptor("crop the central square before resizing (default off)")
            @Parameter(names = "--center_crop", presentValue = "true", absentValue = "false") boolean centerCrop,
            @Descriptor("how often each image appears per epoch (default " + DEFAULT_REPEATS + ")")
            @Parameter(names = "--repeats", absentValue = "" + DEFAULT_REPEATS) int repeats,
            @Descriptor("images per step (default " + DEFAULT_TRAIN_BATCH_SIZE + ")")
            @Parameter(names = "--train_batch_size", absentValue = "" + DEFAULT_TRAIN_BATCH_SIZE) int trainBatchSize,
            @Descriptor("batches whose gradients add up to one optimiser step (default " + DEFAULT_GRADIENT_ACCUMULATION_STEPS + ")")
            @Parameter(names = "--gradient_accumulation_steps", absentValue = "" + DEFAULT_GRADIENT_ACCUMULATION_STEPS)
            int gradientAccumulationSteps,
            @Descriptor("optimiser steps (default " + DEFAULT_MAX_TRAIN_STEPS + ")")
            @Parameter(names = "--max_train_steps", absentValue = "" + DEFAULT_MAX_TRAIN_STEPS) int maxTrainSteps,
            @Descriptor("base learning rate (default " + DEFAULT_LEARNING_RATE + ")")
            @Parameter(names = "--learning_rate", absentValue = "" + DEFAULT_LEARNING_RATE) double learningRate,
            @Descriptor("scale the learning rate by gradient_accumulation_steps × train_batch_size (default on)")
            @Parameter(names = "--scale_lr", presentValue = "true", absentValue = "true") boolean scaleLr,
            @Descriptor("do not scale the learning rate")
            @Parameter(names = {"--no-scale_lr", "--no_scale_lr"}, presentValue = "true", absentValue = "false") boolean noScaleLr,
            @Descriptor("learning-rate schedule by name, see ti:schedulers (default " + DEFAULT_LR_SCHEDULER + ")")
            @Parameter(names = "--lr_scheduler", absentValue = DEFAULT_LR_SCHEDULER) String lrScheduler,
            @Descriptor("warmup steps of the schedule (default " + DEFAULT_LR_WARMUP_STEPS + ")")
            @Parameter(names = "--lr_warmup_steps", absentValue = "" + DEFAULT_LR_WARMUP_STEPS) int lrWarmupSteps,
            @Descriptor("cycles of cosine_with_restarts (default 1)")
            @Parameter(names = "--lr_num_cycles", absentValue = NONE) String lrNumCycles,
            @Descriptor("power of the polynomial schedule (default 1.0)")
            @Parameter(names = "--lr_power", absentValue = NONE) String lrPower,
            @Descriptor("rules of piecewise_constant, e.g. 1:10,0.1:20,0.01")
            @Parameter(names = "--lr_step_rules", absentValue = NONE) String lrStepRules,
            @Descriptor("AdamW beta1 (default " + DEFAULT_ADAM_BETA1 + ")")
            @Parameter(names = "--adam_beta1", absentValue = "" + DEFAULT_ADAM_BETA1) double adamBeta1,
            @Descriptor("AdamW beta2 (default " + DEFAULT_ADAM_BETA2 + ")")
            @Parameter(names = "--adam_beta2", absentValue = "" + DEFAULT_ADAM_BETA2) double adamBeta2,
            @Descriptor("AdamW decoupled weight decay on the vectors (default " + DEFAULT_ADAM_WEIGHT_DECAY + ")")
            @Parameter(names = "--adam_weight_decay", absentValue = "" + DEFAULT_ADAM_WEIGHT_DECAY) double adamWeightDecay,
            @Descriptor("AdamW epsilon (default " + DEFAULT_ADAM_EPSILON + ")")
            @Parameter(names = "--adam_epsilon", absentValue = "" + DEFAULT_ADAM_EPSILON) double adamEpsilon,
            @Descriptor("no or fp16 (UNet and VAE in half precision); bf16 is refused (default " + DEFAULT_MIXED_PRECISION + ")")
            @Parameter(names = "--mixed_precision", absentValue = DEFAULT_MIXED_PRECISION) String mixedPrecision,
            @Descriptor("accepted for compatibility; the frozen networks keep no activations beyond one step")
            @Parameter(names = "--gradient_checkpointing", presentValue = "true", absentValue = "false") boolean gradientCheckpointing,
            @Descriptor("use the composed attention and group norm instead of libtorch's fused kernels")
            @Parameter(names = "--no_fused_attention", presentValue = "true", absentValue = "false") boolean noFusedAttention,
            @Descriptor("accepted for compatibility: fused attention is on unless --no_fused_attention")
            @Parameter(names = "--enable_xformers_memory_efficient_attention", presentValue = "true", absentValue = "false")
            boolean xformers,
            @Descriptor("write a resumable checkpoint-N every this many steps (default " + DEFAULT_CHECKPOINTING_STEPS + ")")
            @Parameter(names = "--checkpointing_steps", absentValue = "" + DEFAULT_CHECKPOINTING_STEPS) int checkpointingSteps,
            @Descriptor("keep at most this many checkpoints (default: all)")
            @Parameter(names = "--checkpoints_total_limit", absentValue = NONE) String checkpointsTotalLimit,
            @Descriptor("resume from 'latest' or a checkpoint-N folder")
            @Parameter(names = "--resume_from_checkpoint", absentValue = NONE) String resumeFromCheckpoint,
            @Descriptor("write learned_embeds-steps-N.bin every this many steps (default " + DEFAULT_SAVE_STEPS + ")")
            @Parameter(names = "--save_steps", absentValue = "" + DEFAULT_SAVE_STEPS) int saveSteps,
            @Descriptor("accepted for compatibility: only the embeddings are ever saved")
            @Parameter(names = "--only_save_embeds", presentValue = "true", absentValue = "true") boolean onlySaveEmbeds,
            @Descriptor("random seed: the same seed gives the same embedding")
            @Parameter(names = "--seed", absentValue = NONE) String seed,
            @Descriptor("cpu, gpu or gpu:N (default: a GPU when one is visible)")
            @Parameter(names = "--device", absentValue = NONE) String device,
            @Descriptor("the root folder (default: NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)")
            @Parameter(names = "--root", absentValue = NONE) String root,
            @Descriptor("where logs, checkpoints and embeddings go (default <root>/text-inversion-output/<trigger>)")
            @Parameter(names = "--output_dir", absentValue = NONE) String outputDir,
            @Descriptor("start a new run in an output folder that holds another run's files, moving them aside into"
                    + " <output_dir>.old-<time> (nothing is deleted)")
            @Parameter(names = "--overwrite_output_dir", presentValue = "true", absentValue = "false") boolean overwriteOutputDir,
            @Descriptor("the folder of training images (default <root>/text-inversion-training-data/<trigger>)")
            @Parameter(names = "--train_data_dir", absentValue = NONE) String trainDataDir,
            @Descriptor("for a single-file model: its LDM YAML (as v1-inference.yaml), or a diffusers folder whose"
                    + " configs describe it (default: models.yaml's config:, <file>.yaml beside it, else inferred)")
            @Parameter(names = "--original_config", absentValue = NONE) String originalConfig,
            @Descriptor("for a single-file model: epsilon or v_prediction (an SD 2.x file does not say which)")
            @Parameter(names = "--prediction_type", absentValue = NONE) String predictionType,
            @Descriptor("for a single-file model: a tokenizer folder (default: CLIP's vocabulary, shipped with Neologism)")
            @Parameter(names = "--tokenizer", absentValue = NONE) String tokenizer,
            @Descriptor("stay in the foreground with a progress bar until the run ends")
            @Parameter(names = "--wait", presentValue = "true", absentValue = "false") boolean wait) throws InterruptedException {
        if (placeholderToken.isBlank()) {
            throw new IllegalArgumentException("--placeholder_token is required: the trigger term to learn, e.g. <psychedelic>");
        }
        Map<String, String> scheduleParameters = new LinkedHashMap<>();
        putIfGiven(scheduleParameters, "num_cycles", lrNumCycles);
        putIfGiven(scheduleParameters, "power", lrPower);
        putIfGiven(scheduleParameters, "step_rules", lrStepRules);
        TrainingRequest request = new TrainingRequest(model, placeholderToken, initializerToken, learnableProperty,
                numVectors, resolution, centerCrop, repeats, trainBatchSize, gradientAccumulationSteps, maxTrainSteps,
                learningRate, scaleLr && !noScaleLr, lrScheduler, lrWarmupSteps, scheduleParameters, adamBeta1, adamBeta2,
                adamWeightDecay, adamEpsilon, mixedPrecision, gradientCheckpointing, !noFusedAttention, checkpointingSteps,
                checkpointsTotalLimit.isBlank() ? null : Integer.valueOf(checkpointsTotalLimit),
                resumeFromCheckpoint.isBlank() ? null : resumeFromCheckpoint, saveSteps, onlySaveEmbeds,
                seed.isBlank() ? null : Long.valueOf(seed), device.isBlank() ? null : device, pathOrNull(root),
                pathOrNull(outputDir), pathOrNull(trainDataDir));
        long job = trainer.submit(request.withOverwriteOutputDir(overwriteOutputDir).withSingleFile(
                pathOrNull(originalConfig), predictionType.isBlank() ? null : predictionType, pathOrNull(tokenizer)));
        PrintStream out = System.out;
        if (!wait) {
            out.println("Job " + job + " queued: training " + placeholderToken + ". Follow it with ti:status, stop it with ti:stop " + job);
            return job;
        }
        TrainingProgress end = new ProgressBar(out).follow(trainer, job);
        if (end.status() != org.neologism.core.training.TrainingStatus.COMPLETED) {
            throw new IllegalStateException(end.message());
        }
        return job;
    }

    @Descriptor("Show every job of this session: step/total, loss, learning rate, it/s, ETA and memory")
    public void status() {
        List<TrainingProgress> jobs = trainer.jobs();
        if (jobs.isEmpty()) {
            System.out.println("No training jobs in this session. Start one with ti:train.");
        }
        jobs.forEach(progress -> System.out.println(StatusLine.of(progress)));
    }

    @Descriptor("Show one job with the lines it reported")
    public void status(@Descriptor("the job number") long job) {
        TrainingProgress progress = trainer.progress(job)
                .orElseThrow(() -> new IllegalArgumentException("There is no job " + job + "; ti:status lists them"));
        System.out.println(StatusLine.of(progress));
        trainer.notices(job).forEach(line -> System.out.println("  " + line));
    }

    @Descriptor("Write a checkpoint and stop a job (a queued job is removed); resume later with --resume_from_checkpoint latest")
    public void stop(@Descriptor("the job number") long job) {
        if (!trainer.stop(job)) {
            throw new IllegalArgumentException("There is no job " + job + "; ti:status lists them");
        }
        System.out.println("Job " + job + " will write a checkpoint and stop");
    }

    private static void putIfGiven(Map<String, String> parameters, String name, String value) {
        if (!value.isBlank()) {
            parameters.put(name, value);
        }
    }

    private static Path pathOrNull(String path) {
        return path.isBlank() ? null : Path.of(path).toAbsolutePath();
    }
}

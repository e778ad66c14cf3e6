package org.neologism.core.training;

import static org.neologism.core.training.TrainingOption.Type.NUMBER;
import static org.neologism.core.training.TrainingOption.Type.PATH;
import static org.neologism.core.training.TrainingOption.Type.SWITCH;
import static org.neologism.core.training.TrainingOption.Type.TEXT;
import static org.neologism.core.training.TrainingOption.Type.WHOLE_NUMBER;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The options of a training request, invokeai-ti's names and help: the one table that {@code ti:train},
 * {@code invokeai-ti}, their help screens and the console form are derived from. The defaults are
 * {@link TrainingRequest#builder(String)}'s.
 */
public final class TrainingOptions {

    /** The request every option's default is read from. */
    static final TrainingRequest DEFAULTS = TrainingRequest.defaults("");

    /** Every option, in the order the help lists them. */
    public static final List<TrainingOption> ALL = List.of(
            option("--model", TEXT, "a diffusers model folder, a .safetensors/.ckpt checkpoint, or the name of one under"
                    + " <root>/models or in configs/models.yaml",
                    TrainingRequest::model, (b, v) -> b.model(v)),
            plain(List.of("--placeholder_token", "--trigger"), TEXT, "the trigger term to learn, e.g. <psychedelic> (required)",
                    TrainingRequest::placeholderToken, (b, v) -> b.placeholderToken(v)),
            option("--initializer_token", TEXT, "an existing single token the vectors start from",
                    TrainingRequest::initializerToken, (b, v) -> b.initializerToken(v)),
            option("--learnable_property", TEXT, "object or style: which prompt templates to train with",
                    TrainingRequest::learnableProperty, (b, v) -> b.learnableProperty(LearnableProperty.of(v))),
            option("--num_vectors", WHOLE_NUMBER, "vectors per trigger",
                    TrainingRequest::numVectors, (b, v) -> b.numVectors(Integer.parseInt(v))),
            plain(List.of("--resolution"), WHOLE_NUMBER, "image side in pixels (default " + TrainingRequest.DEFAULT_RESOLUTION
                            + "; an SDXL model's own size, 1024 for SDXL base); 768 for SD 2.x 768 models",
                    TrainingRequest::resolution, (b, v) -> b.resolution(Integer.parseInt(v))),
            plain(List.of("--center_crop"), SWITCH, "crop the central square before resizing (default off)",
                    TrainingRequest::centerCrop, (b, v) -> b.centerCrop(Boolean.parseBoolean(v))),
            option("--repeats", WHOLE_NUMBER, "how often each image appears per epoch",
                    TrainingRequest::repeats, (b, v) -> b.repeats(Integer.parseInt(v))),
            option("--train_batch_size", WHOLE_NUMBER, "images per step",
                    TrainingRequest::trainBatchSize, (b, v) -> b.trainBatchSize(Integer.parseInt(v))),
            option("--gradient_accumulation_steps", WHOLE_NUMBER, "batches whose gradients add up to one optimiser step",
                    TrainingRequest::gradientAccumulationSteps, (b, v) -> b.gradientAccumulationSteps(Integer.parseInt(v))),
            option("--max_train_steps", WHOLE_NUMBER, "optimiser steps",
                    TrainingRequest::maxTrainSteps, (b, v) -> b.maxTrainSteps(Integer.parseInt(v))),
            option("--learning_rate", NUMBER, "base learning rate",
                    TrainingRequest::learningRate, (b, v) -> b.learningRate(Double.parseDouble(v))),
            plain(List.of("--scale_lr"), SWITCH,
                    "scale the learning rate by gradient_accumulation_steps × train_batch_size (default on)",
                    TrainingRequest::scaleLr, (b, v) -> b.scaleLr(Boolean.parseBoolean(v))),
            plain(List.of("--no-scale_lr", "--no_scale_lr"), SWITCH, "do not scale the learning rate",
                    r -> !r.scaleLr(), (b, v) -> {
                        if (Boolean.parseBoolean(v)) {
                            b.scaleLr(false);
                        }
                    }),
            option("--lr_scheduler", TEXT, "learning-rate schedule by name, see ti:schedulers",
                    TrainingRequest::lrScheduler, (b, v) -> b.lrScheduler(v)),
            option("--lr_warmup_steps", WHOLE_NUMBER, "warmup steps of the schedule",
                    TrainingRequest::lrWarmupSteps, (b, v) -> b.lrWarmupSteps(Integer.parseInt(v))),
            scheduleParameter("--lr_num_cycles", "num_cycles", NUMBER, "cycles of cosine_with_restarts (default 1)"),
            scheduleParameter("--lr_power", "power", NUMBER, "power of the polynomial schedule (default 1.0)"),
            scheduleParameter("--lr_step_rules", "step_rules", TEXT, "rules of piecewise_constant, e.g. 1:10,0.1:20,0.01"),
            option("--adam_beta1", NUMBER, "AdamW beta1",
                    TrainingRequest::adamBeta1, (b, v) -> b.adamBeta1(Double.parseDouble(v))),
            option("--adam_beta2", NUMBER, "AdamW beta2",
                    TrainingRequest::adamBeta2, (b, v) -> b.adamBeta2(Double.parseDouble(v))),
            option("--adam_weight_decay", NUMBER, "AdamW decoupled weight decay on the vectors",
                    TrainingRequest::adamWeightDecay, (b, v) -> b.adamWeightDecay(Double.parseDouble(v))),
            option("--adam_epsilon", NUMBER, "AdamW epsilon",
                    TrainingRequest::adamEpsilon, (b, v) -> b.adamEpsilon(Double.parseDouble(v))),
            option("--mixed_precision", TEXT, "no or fp16 (UNet and VAE in half precision); bf16 is refused",
                    TrainingRequest::mixedPrecision, (b, v) -> b.mixedPrecision(MixedPrecision.of(v))),
            plain(List.of("--gradient_checkpointing"), SWITCH,
                    "recompute the UNet's block activations in backward instead of keeping them: less memory, one more"
                            + " UNet forward per step (default off)",
                    TrainingRequest::gradientCheckpointing, (b, v) -> b.gradientCheckpointing(Boolean.parseBoolean(v))),
            plain(List.of("--no_fused_attention"), SWITCH,
                    "use the composed attention and group norm instead of libtorch's fused kernels",
                    r -> !r.fusedAttention(), (b, v) -> b.fusedAttention(!Boolean.parseBoolean(v))),
            plain(List.of("--enable_xformers_memory_efficient_attention"), SWITCH,
                    "accepted for compatibility: fused attention is on unless --no_fused_attention",
                    r -> false, (b, v) -> { }),
            option("--checkpointing_steps", WHOLE_NUMBER, "write a resumable checkpoint-N every this many steps",
                    TrainingRequest::checkpointingSteps, (b, v) -> b.checkpointingSteps(Integer.parseInt(v))),
            plain(List.of("--checkpoints_total_limit"), WHOLE_NUMBER, "keep at most this many checkpoints (default: all)",
                    TrainingRequest::checkpointsTotalLimit, (b, v) -> b.checkpointsTotalLimit(Integer.valueOf(v))),
            plain(List.of("--resume_from_checkpoint"), TEXT, "resume from 'latest' or a checkpoint-N folder",
                    TrainingRequest::resumeFromCheckpoint, (b, v) -> b.resumeFromCheckpoint(v.isEmpty() ? null : v)),
            option("--save_steps", WHOLE_NUMBER, "write learned_embeds-steps-N.bin every this many steps",
                    TrainingRequest::saveSteps, (b, v) -> b.saveSteps(Integer.parseInt(v))),
            plain(List.of("--only_save_embeds"), SWITCH, "accepted for compatibility: only the embeddings are ever saved",
                    TrainingRequest::onlySaveEmbeds, (b, v) -> b.onlySaveEmbeds(true)),
            plain(List.of("--seed"), WHOLE_NUMBER, "random seed: the same seed gives the same embedding",
                    TrainingRequest::seed, (b, v) -> b.seed(Long.valueOf(v))),
            plain(List.of("--device"), TEXT, "cpu, gpu or gpu:N (default: a GPU when one is visible)",
                    r -> r.device() == DeviceChoice.AUTO ? null : r.device(), (b, v) -> b.device(DeviceChoice.of(v))),
            plain(List.of("--cpu_threads"), WHOLE_NUMBER, "libtorch's CPU threads for this run (default: the host's"
                            + " configured cpu.threads, else one per core)",
                    TrainingRequest::cpuThreads, (b, v) -> b.cpuThreads(Integer.valueOf(v))),
            plain(List.of("--root"), PATH, "the root folder (default: NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)",
                    TrainingRequest::root, (b, v) -> b.root(absolute(v))),
            plain(List.of("--output_dir"), PATH,
                    "where logs, checkpoints and embeddings go (default <root>/text-inversion-output/<trigger>)",
                    TrainingRequest::outputDir, (b, v) -> b.outputDir(absolute(v))),
            plain(List.of("--overwrite_output_dir"), SWITCH, "start a new run in an output folder that holds another"
                            + " run's files, moving them aside into <output_dir>.old-<time> (nothing is deleted)",
                    TrainingRequest::overwriteOutputDir, (b, v) -> b.overwriteOutputDir(Boolean.parseBoolean(v))),
            plain(List.of("--train_data_dir"), PATH,
                    "the folder of training images (default <root>/text-inversion-training-data/<trigger>)",
                    TrainingRequest::trainDataDir, (b, v) -> b.trainDataDir(absolute(v))),
            plain(List.of("--validation_prompt"), TEXT, "draw images of this prompt while training, e.g. \"a photo of"
                            + " <psychedelic>\", into <output_dir>/validation (default none)",
                    TrainingRequest::validationPrompt, (b, v) -> b.validationPrompt(v)),
            option("--num_validation_images", WHOLE_NUMBER, "images per validation (DPM++ 2M, 25 steps)",
                    TrainingRequest::numValidationImages, (b, v) -> b.numValidationImages(Integer.parseInt(v))),
            option("--validation_steps", WHOLE_NUMBER, "draw the validation images every this many steps",
                    TrainingRequest::validationSteps, (b, v) -> b.validationSteps(Integer.parseInt(v))),
            plain(List.of("--original_config"), PATH, "for a single-file model: its LDM YAML (as v1-inference.yaml), or a"
                            + " diffusers folder whose configs describe it (default: models.yaml's config:, <file>.yaml"
                            + " beside it, else inferred from the weights)",
                    TrainingRequest::originalConfig, (b, v) -> b.originalConfig(absolute(v))),
            plain(List.of("--prediction_type"), TEXT, "for a single-file model: epsilon or v_prediction (an SD 2.x file"
                            + " does not say which)",
                    TrainingRequest::predictionType, (b, v) -> b.predictionType(v)),
            plain(List.of("--tokenizer"), PATH, "for a single-file model: a tokenizer folder (default: CLIP's"
                            + " vocabulary, shipped with Neologism)",
                    TrainingRequest::tokenizer, (b, v) -> b.tokenizer(absolute(v))));

    private TrainingOptions() {}

    /** The option spelt {@code name} exactly (any of its spellings). */
    public static Optional<TrainingOption> named(String name) {
        return ALL.stream().filter(option -> option.names().contains(name)).findFirst();
    }

    /** Every option's default as text, by canonical name (empty for none). */
    public static Map<String, String> defaults() {
        return valuesOf(DEFAULTS);
    }

    /** Every option's value in {@code request} as text, by canonical name (empty for unset). */
    public static Map<String, String> valuesOf(TrainingRequest request) {
        Map<String, String> values = new LinkedHashMap<>();
        ALL.forEach(option -> values.put(option.name(), option.valueIn(request)));
        return values;
    }

    /**
     * The request the given options describe, every other option at its default. Values are applied in
     * the table's order, so {@code --no-scale_lr} wins over {@code --scale_lr} when both are given as
     * true; a command-line parser keeps only the last of the two.
     *
     * @param given option values as text, by any spelling; blank values of options without a default
     *              count as not given
     * @throws InvalidTrainingRequestException naming every option whose value is not of its type or range
     */
    public static TrainingRequest request(Map<String, String> given) {
        TrainingRequest.Builder builder = TrainingRequest.builder("");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            if (named(entry.getKey()).isEmpty()) {
                problems.add("unrecognized option " + entry.getKey());
            }
        }
        for (TrainingOption option : ALL) {
            Optional<String> text = option.names().stream().filter(given::containsKey).map(given::get).findFirst();
            if (text.isEmpty() || text.get().isBlank() && option.defaultValue().isEmpty()) {
                continue;
            }
            try {
                option.applyTo(builder, text.get());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidTrainingRequestException(problems);
        }
        return builder.build();
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath();
    }

    /** An option whose help names its default. */
    private static TrainingOption option(String name, TrainingOption.Type type, String help,
                                         Function<TrainingRequest, Object> shown,
                                         BiConsumer<TrainingRequest.Builder, String> apply) {
        return new TrainingOption(List.of(name), type, help, shown, apply, true);
    }

    /** An option whose help says all there is about its default. */
    private static TrainingOption plain(List<String> names, TrainingOption.Type type, String help,
                                        Function<TrainingRequest, Object> shown,
                                        BiConsumer<TrainingRequest.Builder, String> apply) {
        return new TrainingOption(names, type, help, shown, apply, false);
    }

    private static TrainingOption scheduleParameter(String flag, String parameter, TrainingOption.Type type, String help) {
        return plain(List.of(flag), type, help, r -> r.lrSchedulerParameters().get(parameter),
                (b, v) -> b.lrSchedulerParameter(parameter, v));
    }
}

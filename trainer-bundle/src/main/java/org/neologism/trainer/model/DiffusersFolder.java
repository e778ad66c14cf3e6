package org.neologism.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.conditioning.DualEncoderConditioner;
import org.neologism.trainer.model.conditioning.SingleEncoderConditioner;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.ModelIndex;
import org.neologism.trainer.model.config.SchedulerConfig;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * A Stable Diffusion 1.x/2.x/XL pipeline folder in diffusers layout (model_index.json, text_encoder/, tokenizer/,
 * unet/, vae/, scheduler/; SDXL adds text_encoder_2/ and tokenizer_2/). Opening reads and validates every
 * config; networks load on demand. A single-file checkpoint is read as the same pipeline
 * ({@link org.neologism.trainer.model.single.SingleFileModel}): its configs are inferred and each component's
 * weights come from the file under diffusers names.
 */
public final class DiffusersFolder {

    private final Path root;
    private final ModelIndex index;
    private final TextEncoderConfig textEncoderConfig;
    private final TextEncoderConfig textEncoder2Config;
    private final UNetConfig unetConfig;
    private final VaeConfig vaeConfig;
    private final SchedulerConfig schedulerConfig;
    private final ComponentWeights weights;
    private final TokenizerSource tokenizer;
    /** scheduler_config.json as written, for the samplers (which read more than the training schedule). */
    private final java.util.Map<String, Object> schedulerJson;

    /** Opens the weights of one component ({@code unet}, {@code vae}, {@code text_encoder}, {@code text_encoder_2}). */
    @FunctionalInterface
    public interface ComponentWeights {
        WeightSource open(String component, String stem) throws IOException;
    }

    /** Makes the pipeline's tokenizers, one per text encoder in encoder order. */
    @FunctionalInterface
    public interface TokenizerSource {
        List<ClipTokenizer> load() throws InvalidTokenizerFolderException;
    }

    private DiffusersFolder(Path root, WeightOpener opener) {
        this.root = root;
        this.weights = (component, stem) -> opener.open(weightFile(component, stem));
        this.tokenizer = () -> {
            List<ClipTokenizer> tokenizers = new java.util.ArrayList<>();
            for (Path folder : tokenizerFolders()) {
                tokenizers.add(ClipTokenizer.load(folder));
            }
            return tokenizers;
        };
        this.schedulerJson = null;
        index = read("model_index.json", ModelIndex.class).validate(file("model_index.json"));
        textEncoderConfig = read("text_encoder/config.json", TextEncoderConfig.class)
                .validate(file("text_encoder/config.json"));
        textEncoder2Config = index.dualTextEncoders()
                ? read("text_encoder_2/config.json", TextEncoderConfig.class).validate(file("text_encoder_2/config.json"))
                : null;
        unetConfig = read("unet/config.json", UNetConfig.class).validate(file("unet/config.json"));
        vaeConfig = read("vae/config.json", VaeConfig.class).validate(file("vae/config.json"));
        schedulerConfig = read("scheduler/scheduler_config.json", SchedulerConfig.class)
                .validate(file("scheduler/scheduler_config.json"));
        checkConsistent();
    }

    /**
     * A pipeline whose index and configs are given and whose weights and tokenizers come from elsewhere (a single
     * file); {@code textEncoder2Config} is null but for SDXL.
     */
    public DiffusersFolder(Path source, ModelIndex index, TextEncoderConfig textEncoderConfig,
            TextEncoderConfig textEncoder2Config, UNetConfig unetConfig, VaeConfig vaeConfig,
            SchedulerConfig schedulerConfig, java.util.Map<String, Object> schedulerJson, ComponentWeights weights,
            TokenizerSource tokenizer) {
        this.root = source;
        this.index = index.validate(file("model_index.json"));
        this.weights = weights;
        this.tokenizer = tokenizer;
        // A scheduler config holds JSON nulls (trained_betas), which Map.copyOf refuses.
        this.schedulerJson = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(schedulerJson));
        this.textEncoderConfig = textEncoderConfig.validate(file("text_encoder/config.json"));
        this.textEncoder2Config = textEncoder2Config == null ? null
                : textEncoder2Config.validate(file("text_encoder_2/config.json"));
        this.unetConfig = unetConfig.validate(file("unet/config.json"));
        this.vaeConfig = vaeConfig.validate(file("vae/config.json"));
        this.schedulerConfig = schedulerConfig.validate(file("scheduler/scheduler_config.json"));
        checkConsistent();
    }

    /** The configs describe one pipeline: widths, conditioning and projection agree. */
    private void checkConsistent() {
        if (textEncoder2Config != null && !textEncoder2Config.withProjection()) {
            throw new UnsupportedModelException(file("text_encoder_2/config.json") + ": architectures "
                    + textEncoder2Config.architectures() + " (supported: CLIPTextModelWithProjection, as model_index.json"
                    + " names it)");
        }
        int contextWidth = tokenWidths().stream().mapToInt(Integer::intValue).sum();
        if (!unetConfig.crossAttentionDim().stream().allMatch(d -> d == contextWidth)) {
            throw new UnsupportedModelException(file("unet/config.json") + ": cross_attention_dim "
                    + unetConfig.crossAttentionDim() + " does not match the text encoders' hidden_size "
                    + (textEncoder2Config == null ? contextWidth : tokenWidths() + " (together " + contextWidth + ")")
                    + " in " + file("text_encoder/config.json")
                    + (textEncoder2Config == null ? "" : " and " + file("text_encoder_2/config.json")));
        }
        // SDXL's UNet embeds the second encoder's pooled projection; SD 1.x/2.x UNets take none.
        if (unetConfig.textTimeConditioning() != (textEncoder2Config != null)) {
            throw new UnsupportedModelException(file("unet/config.json") + ": addition_embed_type "
                    + unetConfig.additionEmbedType() + (textEncoder2Config != null
                            ? " (supported with text_encoder_2: \"text_time\", as SDXL's UNet has)"
                            : " (supported with one text encoder: null; \"text_time\" needs SDXL's text_encoder_2)"));
        }
        if (textEncoder2Config != null && unetConfig.pooledWidth() != textEncoder2Config.projectionDim()) {
            throw new UnsupportedModelException(file("unet/config.json") + ": projection_class_embeddings_input_dim "
                    + unetConfig.projectionClassEmbeddingsInputDim() + " does not match 6 · addition_time_embed_dim "
                    + unetConfig.additionTimeEmbedDim() + " + projection_dim " + textEncoder2Config.projectionDim()
                    + " of " + file("text_encoder_2/config.json"));
        }
    }

    /** Opens {@code root}, validating every config; {@code opener} reads weight files. */
    public static DiffusersFolder open(Path root, WeightOpener opener) {
        if (!Files.isDirectory(root)) {
            throw new UnsupportedModelException(root + " is not a folder: give a diffusers model folder (the one"
                    + " holding model_index.json, text_encoder/, unet/, vae/, tokenizer/, scheduler/)");
        }
        return new DiffusersFolder(root, opener);
    }

    private <T> T read(String relative, Class<T> type) {
        return ConfigFiles.read(root.resolve(relative), type);
    }

    /** A config file of the folder, or what a single file's config stands for, for messages. */
    private String file(String relative) {
        return isFolder() ? root.resolve(relative).toString() : root + " (" + relative.replace("/config.json", "")
                .replace("/scheduler_config.json", "") + ")";
    }

    /** The folder, or the single file the pipeline was read from. */
    public Path root() {
        return root;
    }

    /** Whether the pipeline is a diffusers folder (not a single file read as one). */
    public boolean isFolder() {
        return !java.nio.file.Files.isRegularFile(root);
    }

    /** The pipeline's (first) CLIP tokenizer: the folder's {@code tokenizer/}, or what a single file was opened with. */
    public ClipTokenizer tokenizer() throws InvalidTokenizerFolderException {
        return tokenizer.load().get(0);
    }

    /** One tokenizer per text encoder, in encoder order: the folder's, or what a single file was opened with. */
    public List<ClipTokenizer> tokenizers() throws InvalidTokenizerFolderException {
        return tokenizer.load();
    }

    public Path tokenizerFolder() {
        return root.resolve("tokenizer");
    }

    /** The tokenizer of each text encoder, in encoder order: tokenizer/ and, for SDXL, tokenizer_2/. */
    public List<Path> tokenizerFolders() {
        return textEncoder2Config == null ? List.of(tokenizerFolder())
                : List.of(tokenizerFolder(), root.resolve("tokenizer_2"));
    }

    /** Stable Diffusion XL: two text encoders and the UNet's added conditions. */
    public boolean isSdxl() {
        return textEncoder2Config != null;
    }

    /** The token width of each text encoder: [768] for SD 1.x, [1024] for 2.x, [768, 1280] for SDXL. */
    public List<Integer> tokenWidths() {
        return textEncoder2Config == null ? List.of(textEncoderConfig.hiddenSize())
                : List.of(textEncoderConfig.hiddenSize(), textEncoder2Config.hiddenSize());
    }

    /** {@code text_encoder_2/config.json}, for SDXL. */
    public Optional<TextEncoderConfig> textEncoder2Config() {
        return Optional.ofNullable(textEncoder2Config);
    }

    /** The folder's model_index.json, or the one diffusers would write for a single file's pipeline. */
    public ModelIndex index() {
        return index;
    }

    public TextEncoderConfig textEncoderConfig() {
        return textEncoderConfig;
    }

    public UNetConfig unetConfig() {
        return unetConfig;
    }

    public VaeConfig vaeConfig() {
        return vaeConfig;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** The scheduler config as JSON values: the folder's scheduler_config.json, or a single file's standard one. */
    @SuppressWarnings("unchecked")
    public java.util.Map<String, Object> schedulerJson() {
        if (schedulerJson != null) {
            return schedulerJson;
        }
        try {
            return ConfigFiles.mapper().readValue(root.resolve("scheduler/scheduler_config.json").toFile(),
                    java.util.Map.class);
        } catch (IOException e) {
            throw new UnsupportedModelException(file("scheduler/scheduler_config.json") + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    public DdpmSchedule schedule() {
        return new DdpmSchedule(schedulerConfig);
    }

    /** The text encoder with its weights in {@code manager}, held as {@code type} (FLOAT32 or FLOAT16). */
    public ClipTextModel loadTextEncoder(NDManager manager, DataType type, Kernels kernels) {
        ClipTextModel model = new ClipTextModel(textEncoderConfig, kernels);
        // transformers < 4.31 saved the position_ids buffer; it is arange(77) and not a weight.
        load(model, "text_encoder", "model", manager, type,
                name -> name.endsWith("embeddings.position_ids") ? null : name);
        return model;
    }

    /** SDXL's {@code text_encoder_2} (CLIPTextModelWithProjection) with its weights in {@code manager}. */
    public ClipTextModel loadTextEncoder2(NDManager manager, DataType type, Kernels kernels) {
        if (textEncoder2Config == null) {
            throw new IllegalStateException(root + " has one text encoder");
        }
        ClipTextModel model = new ClipTextModel(textEncoder2Config, kernels);
        load(model, "text_encoder_2", "model", manager, type,
                name -> name.endsWith("embeddings.position_ids") ? null : name);
        return model;
    }

    /** Every text encoder and the rule that turns their outputs into the UNet's conditioning. */
    public TextConditioner loadTextConditioner(NDManager manager, DataType type, Kernels kernels) {
        ClipTextModel first = loadTextEncoder(manager, type, kernels);
        return textEncoder2Config == null ? new SingleEncoderConditioner(first)
                : new DualEncoderConditioner(first, loadTextEncoder2(manager, type, kernels));
    }

    public UNet2DCondition loadUNet(NDManager manager, DataType type, Kernels kernels) {
        UNet2DCondition model = new UNet2DCondition(unetConfig, kernels);
        load(model, "unet", "diffusion_pytorch_model", manager, type, UnaryOperator.identity());
        return model;
    }

    public AutoencoderKL loadVae(NDManager manager, DataType type, Kernels kernels) {
        AutoencoderKL model = new AutoencoderKL(vaeConfig, kernels);
        load(model, "vae", "diffusion_pytorch_model", manager, type, LegacyVaeNames::rename);
        return model;
    }

    private void load(Module model, String component, String stem, NDManager manager, DataType type,
            UnaryOperator<String> rename) {
        try (WeightSource source = weights.open(component, stem)) {
            new WeightLoader(manager, type).load(model, source, rename);
        } catch (IOException e) {
            throw new UnsupportedModelException(root + " (" + component + ") cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The weight file of a component: {@code <stem>.safetensors}, else {@code <stem>.fp16.safetensors}, else
     * the PyTorch {@code .bin} forms ({@code pytorch_model.bin} for the text encoder).
     */
    public Path weightFile(String component, String stem) {
        Path folder = root.resolve(component);
        String binStem = "model".equals(stem) ? "pytorch_model" : stem;
        for (String name : List.of(stem + ".safetensors", stem + ".fp16.safetensors", binStem + ".bin",
                binStem + ".fp16.bin")) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        if (Files.isRegularFile(folder.resolve(stem + ".safetensors.index.json"))
                || Files.isRegularFile(folder.resolve(binStem + ".bin.index.json"))) {
            throw new UnsupportedModelException(folder + " holds sharded weights, which Neologism does not read;"
                    + " save the model again with a larger max_shard_size");
        }
        throw new UnsupportedModelException(folder + " has no weights: expected " + stem + ".safetensors (or "
                + stem + ".fp16.safetensors, or " + binStem + ".bin)");
    }
}

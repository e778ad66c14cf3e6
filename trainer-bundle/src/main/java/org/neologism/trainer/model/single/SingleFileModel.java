package org.neologism.trainer.model.single;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightSource;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.ModelIndex;
import org.neologism.trainer.model.config.SchedulerConfig;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;
import org.neologism.trainer.model.single.OriginalLayout.Component;
import org.neologism.core.root.CheckpointFamily;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * A single-file checkpoint read as a diffusers pipeline, without writing one: the layout and configs are
 * recognised once, every tensor the networks need is checked for presence and shape, and each network later
 * streams its weights straight from the file.
 */
public final class SingleFileModel {

    private final Path file;
    private final OriginalLayout layout;
    private final TextEncoderConfig textEncoder;
    /** SDXL's second encoder; null for the one-encoder families. */
    private final TextEncoderConfig textEncoder2;
    private final UNetConfig unet;
    private final VaeConfig vae;
    private final SchedulerConfig scheduler;
    private final SingleFileOptions options;

    private SingleFileModel(Path file, OriginalLayout layout, TextEncoderConfig textEncoder,
            TextEncoderConfig textEncoder2, UNetConfig unet, VaeConfig vae, SchedulerConfig scheduler,
            SingleFileOptions options) {
        this.file = file;
        this.layout = layout;
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.unet = unet;
        this.vae = vae;
        this.scheduler = scheduler;
        this.options = options;
    }

    /**
     * Recognises {@code file} and checks it against the networks its configs describe.
     *
     * @throws UnsupportedModelException naming the file and the problem (damaged, hostile, incomplete, not a
     *         base model, or an option it needs)
     */
    public static SingleFileModel open(Path file, SingleFileOptions options) {
        try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(file)) {
            return of(checkpoint, options);
        } catch (IOException e) {
            throw new UncheckedIOException(file + " cannot be closed", e);
        }
    }

    /** As {@link #open}, for a checkpoint already open (or an inventory); weights are read later from its path. */
    public static SingleFileModel of(OriginalCheckpoint checkpoint, SingleFileOptions options) {
        Path file = checkpoint.path();
        OriginalLayout layout = OriginalLayout.of(checkpoint, options.extractEma());
        boolean twoEncoders = layout.components().contains(Component.TEXT_ENCODER_2);
        Path config = options.originalConfig();
        SingleFileModel model;
        if (config != null && Files.isDirectory(config)) {
            if (twoEncoders && !Files.isRegularFile(config.resolve("text_encoder_2/config.json"))) {
                throw new UnsupportedModelException(file + " is an SDXL checkpoint, but --original_config " + config
                        + " has no text_encoder_2/config.json: give the SDXL diffusers folder it was made from");
            }
            model = new SingleFileModel(file, layout,
                    read(config, "text_encoder/config.json", TextEncoderConfig.class),
                    twoEncoders ? read(config, "text_encoder_2/config.json", TextEncoderConfig.class) : null,
                    read(config, "unet/config.json", UNetConfig.class),
                    read(config, "vae/config.json", VaeConfig.class),
                    withPrediction(read(config, "scheduler/scheduler_config.json", SchedulerConfig.class),
                            options.predictionType()), options);
        } else {
            LdmConfig yaml = config == null ? null : LdmConfig.read(config);
            String prediction = predictionType(checkpoint, layout, yaml, options);
            InferredConfigs inferred = InferredConfigs.of(checkpoint, layout, yaml);
            model = new SingleFileModel(file, layout, inferred.textEncoder(),
                    twoEncoders ? inferred.textEncoder2() : null, inferred.unet(prediction),
                    inferred.vae(prediction), inferred.scheduler(prediction), options);
            inferred.requireStandardSizes();
        }
        model.checkAgainstNetworks(checkpoint);
        return model;
    }

    private static <T> T read(Path folder, String relative, Class<T> type) {
        return ConfigFiles.read(folder.resolve(relative), type);
    }

    private static SchedulerConfig withPrediction(SchedulerConfig config, String predictionType) {
        if (predictionType == null) {
            return config;
        }
        Map<String, Object> values = ConfigFiles.mapper().convertValue(config,
                ConfigFiles.mapper().getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        values.put("prediction_type", predictionType);
        return ConfigFiles.mapper().convertValue(values, SchedulerConfig.class);
    }

    /**
     * The flag wins, then the YAML. SD 1.x and SDXL are epsilon models; SD 2.x comes as both (2.x-base and
     * 768-v) with identical keys, so only InvokeAI's global_step convention or the user can tell.
     */
    private static String predictionType(OriginalCheckpoint checkpoint, OriginalLayout layout, LdmConfig yaml,
            SingleFileOptions options) {
        if (options.predictionType() != null) {
            return options.predictionType();
        }
        if (yaml != null && yaml.predictionType().isPresent()) {
            return yaml.predictionType().get();
        }
        if (layout.family() != CheckpointFamily.SD2) {
            return "epsilon";
        }
        long step = checkpoint.globalStep().orElse(-1L);
        // InvokeAI 2.3's probe: the released 512-base checkpoints stop at 220000, the 768-v ones at 110000.
        if (step == 220000 || step == 875000) {
            return "epsilon";
        }
        if (step == 110000) {
            return "v_prediction";
        }
        throw new UnsupportedModelException(checkpoint.path() + " is an SD 2.x checkpoint, which may predict noise"
                + " (2.x-base, epsilon) or velocity (768-v): the file does not say which. Give --prediction_type"
                + " epsilon or --prediction_type v_prediction (or --original_config with its v2-inference YAML).");
    }

    /** Every weight the networks need is in the file, with the right shape; nothing extra is mapped. */
    private void checkAgainstNetworks(OriginalCheckpoint checkpoint) {
        check(checkpoint, Component.UNET, new UNet2DCondition(unet, null));
        check(checkpoint, Component.VAE, new AutoencoderKL(vae, null));
        check(checkpoint, Component.TEXT_ENCODER, new ClipTextModel(textEncoder, null));
        if (textEncoder2 != null) {
            check(checkpoint, Component.TEXT_ENCODER_2, new ClipTextModel(textEncoder2, null));
        }
    }

    private void check(OriginalCheckpoint checkpoint, Component component, Module network) {
        Map<String, Parameter> wanted = network.namedParameters();
        Map<String, MappedTensor> mapped = new LinkedHashMap<>();
        layout.tensors(component).forEach(t -> mapped.put(t.name(), t));
        for (Map.Entry<String, Parameter> entry : wanted.entrySet()) {
            MappedTensor tensor = mapped.get(entry.getKey());
            if (tensor == null) {
                throw new UnsupportedModelException(file + " lacks " + originalName(entry.getKey(), mapped)
                        + ", which the " + component.folder() + " needs: the checkpoint is incomplete or damaged.");
            }
            long[] stored = checkpoint.shape(tensor.from());
            long[] shape = tensor.transform().targetShape(stored);
            long[] expected = entry.getValue().shape().getShape();
            if (!Arrays.equals(shape, expected) && !sameUpToOnes(shape, expected)) {
                throw new UnsupportedModelException(file + ": tensor " + tensor.from() + " has shape "
                        + Arrays.toString(stored) + ", expected " + Arrays.toString(expected)
                        + " for the " + component.folder() + " the other tensors describe: the checkpoint is damaged.");
            }
        }
        for (String name : mapped.keySet()) {
            if (!wanted.containsKey(name)) {
                throw new UnsupportedModelException(file + ": tensor " + mapped.get(name).from() + " has no place in"
                        + " the " + component.folder() + " its config describes (" + name + ")"
                        + (options.originalConfig() == null ? "" : "; does " + options.originalConfig()
                        + " belong to this checkpoint?"));
            }
        }
    }

    /** A missing weight's original key, from its mapped sibling (a weight's bias or a bias's weight). */
    private static String originalName(String name, Map<String, MappedTensor> mapped) {
        int dot = name.lastIndexOf('.');
        String module = name.substring(0, dot + 1);
        String leaf = name.substring(dot + 1);
        for (MappedTensor sibling : mapped.values()) {
            String siblingLeaf = sibling.name().substring(sibling.name().lastIndexOf('.') + 1);
            if (sibling.name().startsWith(module) && sibling.name().length() == module.length() + siblingLeaf.length()
                    && sibling.from().endsWith("." + siblingLeaf)) {
                return sibling.from().substring(0, sibling.from().length() - siblingLeaf.length()) + leaf;
            }
        }
        return "the tensor of " + name;
    }

    private static boolean sameUpToOnes(long[] a, long[] b) {
        return Arrays.equals(Arrays.stream(a).filter(d -> d != 1).toArray(), Arrays.stream(b).filter(d -> d != 1).toArray())
                && Arrays.stream(a).reduce(1, (x, y) -> x * y) == Arrays.stream(b).reduce(1, (x, y) -> x * y);
    }

    public Path file() {
        return file;
    }

    public OriginalLayout layout() {
        return layout;
    }

    public CheckpointFamily family() {
        return layout.family();
    }

    public TextEncoderConfig textEncoderConfig() {
        return textEncoder;
    }

    /** SDXL's {@code text_encoder_2} config; null for SD 1.x and 2.x. */
    public TextEncoderConfig textEncoder2Config() {
        return textEncoder2;
    }

    public UNetConfig unetConfig() {
        return unet;
    }

    public VaeConfig vaeConfig() {
        return vae;
    }

    public SchedulerConfig schedulerConfig() {
        return scheduler;
    }

    /**
     * scheduler_config.json for the samplers: the config folder's, else the values Stable Diffusion's releases
     * ship (stable-diffusion-v1-5 and stable-diffusion-2-1: steps_offset 1, leading spacing, no clipping, no
     * alpha set to one) over this file's DDPM schedule and prediction type.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> schedulerJson() {
        Path config = options.originalConfig();
        if (config != null && Files.isRegularFile(config.resolve("scheduler/scheduler_config.json"))) {
            try {
                Map<String, Object> json = new LinkedHashMap<>(ConfigFiles.mapper().readValue(
                        config.resolve("scheduler/scheduler_config.json").toFile(), Map.class));
                json.put("prediction_type", scheduler.predictionType());
                return json;
            } catch (IOException e) {
                throw new UnsupportedModelException(config.resolve("scheduler/scheduler_config.json")
                        + " cannot be read: " + e.getMessage(), e);
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("_class_name", "PNDMScheduler");
        json.put("beta_end", scheduler.betaEnd());
        json.put("beta_schedule", scheduler.betaSchedule());
        json.put("beta_start", scheduler.betaStart());
        json.put("clip_sample", false);
        json.put("num_train_timesteps", scheduler.numTrainTimesteps());
        json.put("prediction_type", scheduler.predictionType());
        json.put("set_alpha_to_one", false);
        json.put("skip_prk_steps", true);
        json.put("steps_offset", 1);
        json.put("timestep_spacing", "leading");
        return json;
    }

    /**
     * The pad token of each encoder's tokenizer (CLIP's vocabulary README): the end token for SD 1.x and SDXL's
     * first encoder, {@code !} for SD 2.x and SDXL's second.
     */
    public List<String> padTokens() {
        return switch (layout.family()) {
            case SD1 -> List.of(ClipTokenizer.END_OF_TEXT);
            case SD2 -> List.of("!");
            case SDXL -> List.of(ClipTokenizer.END_OF_TEXT, "!");
        };
    }

    /** The first encoder's pad token. */
    public String padToken() {
        return padTokens().get(0);
    }

    /** The (first) tokenizer: {@link #tokenizers()}' first. */
    public ClipTokenizer tokenizer() throws org.neologism.core.tokenizer.InvalidTokenizerFolderException {
        return tokenizer(0);
    }

    /**
     * One tokenizer per text encoder: each from its folder ({@link #tokenizerFolders()}), else built from the
     * bundled CLIP vocabulary with the encoder's pad token.
     */
    public List<ClipTokenizer> tokenizers() throws org.neologism.core.tokenizer.InvalidTokenizerFolderException {
        List<ClipTokenizer> tokenizers = new java.util.ArrayList<>();
        for (int i = 0; i < padTokens().size(); i++) {
            tokenizers.add(tokenizer(i));
        }
        return tokenizers;
    }

    private ClipTokenizer tokenizer(int encoder) throws org.neologism.core.tokenizer.InvalidTokenizerFolderException {
        Path folder = tokenizerFolders().get(encoder);
        return folder != null ? ClipTokenizer.load(folder) : ClipTokenizer.bundled(padTokens().get(encoder));
    }

    /** The first tokenizer's folder ({@code --tokenizer}, or the config folder's), or null for the bundled one. */
    public Path tokenizerFolder() {
        return tokenizerFolders().get(0);
    }

    /**
     * Each encoder's tokenizer folder, null where the bundled vocabulary serves: {@code --tokenizer} (for SDXL's
     * second encoder its sibling {@code tokenizer_2/}, as a diffusers folder has it), else the config folder's
     * {@code tokenizer/} and {@code tokenizer_2/}.
     */
    public List<Path> tokenizerFolders() {
        List<String> names = textEncoder2 == null ? List.of("tokenizer") : List.of("tokenizer", "tokenizer_2");
        Path config = options.originalConfig();
        List<Path> folders = new java.util.ArrayList<>();
        for (String name : names) {
            Path given = options.tokenizer() == null ? null
                    : name.equals("tokenizer") ? options.tokenizer() : options.tokenizer().resolveSibling(name);
            Path configured = config != null && Files.isDirectory(config) ? config.resolve(name) : null;
            folders.add(given != null && Files.isDirectory(given) ? given
                    : configured != null && Files.isDirectory(configured) ? configured : null);
        }
        return java.util.Collections.unmodifiableList(folders);
    }

    /** The weights of {@code component} under diffusers names, read from the file (the caller closes them). */
    public WeightSource weights(Component component) {
        OriginalCheckpoint checkpoint = OriginalCheckpoint.open(file);
        return new SingleFileComponent(checkpoint, component.folder(), layout.tensors(component), true);
    }

    /** The pipeline the rest of Neologism trains with. */
    public DiffusersFolder pipeline() {
        ModelIndex index = ConfigFiles.mapper().convertValue(SingleFileConversion.modelIndex(textEncoder2 != null),
                ModelIndex.class);
        return new DiffusersFolder(file, index, textEncoder, textEncoder2, unet, vae, scheduler, schedulerJson(),
                (component, stem) -> weights(component(component)), this::tokenizers);
    }

    private Component component(String folder) {
        for (Component component : layout.components()) {
            if (component.folder().equals(folder)) {
                return component;
            }
        }
        throw new IllegalArgumentException(file + " has no " + folder);
    }

    /** A short description: family, prediction, token width(s), and EMA when those weights were taken. */
    public String describe() {
        String widths = textEncoder2 == null ? "token width " + textEncoder.hiddenSize()
                : "token widths " + textEncoder.hiddenSize() + " + " + textEncoder2.hiddenSize();
        boolean ema = layout.tensors(Component.UNET).stream().anyMatch(t -> t.from().startsWith(OriginalLayout.EMA_PREFIX));
        return layout.family().label() + (scheduler.vPrediction() ? " v-prediction" : "") + ", " + widths
                + (ema ? ", EMA weights" : "");
    }

    List<MappedTensor> tensors(Component component) {
        return layout.tensors(component);
    }
}

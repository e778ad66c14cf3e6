package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.ModelIndex;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * diffusers' {@code StableDiffusionPipeline} text-to-image call on loaded networks: prompt encoding with
 * textual-inversion embeddings, the denoising loop of a {@link SamplingPlan}, the VAE decode of
 * latents / scaling_factor and the conversion to 8-bit RGB.
 */
public final class ImageGenerator {

    /** One generated image: final latents, decoded pixels [3, H, W], and 8-bit RGB [H, W, 3]. */
    public record Image(float[] latents, float[] decoded, int[] rgb, int height, int width) {
        public BufferedImage toBufferedImage() {
            return PixelConversion.toImage(rgb, height, width);
        }
    }

    /**
     * What to generate.
     *
     * @param negative the negative prompt's text states, used only when guidance is enabled
     */
    public record Request(SamplingPlan plan, float[] prompt, float[] negative, Shape textShape, Guidance guidance,
                          int height, int width) {}

    private final DiffusersFolder model;
    private final ClipTextModel textEncoder;
    private final UNet2DCondition unet;
    private final AutoencoderKL vae;

    public ImageGenerator(DiffusersFolder model, ClipTextModel textEncoder, UNet2DCondition unet, AutoencoderKL vae) {
        this.model = model;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
    }

    /**
     * Why this model's pipeline cannot be generated with, if it cannot: the one place that decides it from
     * {@code model_index.json}'s {@code _class_name}. SDXL needs its own text conditioning (two encoders,
     * pooled and time embeddings), which these networks do not have yet.
     */
    public static Optional<String> unsupported(Path modelDir) {
        return unsupported(ConfigFiles.read(modelDir.resolve("model_index.json"), ModelIndex.class));
    }

    /** As above for a model index already read. */
    public static Optional<String> unsupported(ModelIndex index) {
        String pipeline = index.className();
        if (pipeline != null && pipeline.contains("XL")) {
            return Optional.of(pipeline + " needs the SDXL text conditioning (two text encoders, pooled and time"
                    + " embeddings), which Neologism's generator does not have yet: use an SD 1.x or 2.x model");
        }
        return Optional.empty();
    }

    public DiffusersFolder model() {
        return model;
    }

    /** The model's sampler values, for {@code Sampler.plan}. */
    public SchedulerValues schedulerValues() {
        return SchedulerValues.of(model.root() + " (scheduler)", model.schedulerJson());
    }

    /** A prompt encoder with a fresh tokenizer of the model and {@code embeddings} loaded. */
    public PromptEncoder promptEncoder(List<Embedding> embeddings) throws InvalidTokenizerFolderException {
        return new PromptEncoder(model.tokenizer(), textEncoder, embeddings);
    }

    /** The model's default image side: {@code unet.sample_size · vae_scale_factor}. */
    public int defaultSize() {
        return model.unetConfig().sampleSize() * vaeScaleFactor();
    }

    public int vaeScaleFactor() {
        return 1 << (model.vaeConfig().blockOutChannels().size() - 1);
    }

    /** The latent shape of an image of {@code height × width}. */
    public Shape latentShape(int height, int width) {
        int factor = vaeScaleFactor();
        int multiple = Math.max(8, factor);
        if (height <= 0 || width <= 0 || height % multiple != 0 || width % multiple != 0) {
            throw new IllegalArgumentException("--height and --width must be positive multiples of " + multiple
                    + " (as diffusers requires), got " + height + "x" + width);
        }
        return new Shape(1, model.unetConfig().inChannels(), height / factor, width / factor);
    }

    /** Text states [1, 77, d] of {@code text}, as floats. */
    public float[] encode(NDManager parent, PromptEncoder encoder, String text) {
        try (NDManager scope = parent.newSubManager()) {
            return encoder.encode(scope, text).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    public Image generate(NDManager parent, Request request, NoiseSource noise, DenoisingLoop.StepObserver observer) {
        Shape shape = latentShape(request.height(), request.width());
        float[] initial;
        try (NDManager scope = parent.newSubManager()) {
            initial = noise.initial(scope, shape).toFloatArray();
        }
        return generate(parent, request, initial, noise, observer);
    }

    /** As above from given initial latents (the parity tests' fixed ones). */
    public Image generate(NDManager parent, Request request, float[] initial, NoiseSource noise,
                          DenoisingLoop.StepObserver observer) {
        Shape shape = latentShape(request.height(), request.width());
        float[] latents = new DenoisingLoop(unet).run(parent, request.plan(), initial, shape, request.prompt(),
                request.negative(), request.textShape(), request.guidance(), noise, observer);
        return decode(parent, latents, shape, request.height(), request.width());
    }

    /** {@code vae.decode(latents / scaling_factor)}, then the 8-bit conversion. */
    public Image decode(NDManager parent, float[] latents, Shape shape, int height, int width) {
        try (NDManager scope = parent.newSubManager()) {
            NDArray scaled = scope.create(latents, shape).div((float) vae.scalingFactor());
            float[] decoded = vae.decode(scaled).toType(DataType.FLOAT32, false).toFloatArray();
            int[] rgb = PixelConversion.toUint8(PixelConversion.toUnitHwc(decoded, height, width));
            return new Image(latents, decoded, rgb, height, width);
        }
    }
}

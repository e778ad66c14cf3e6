package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.Supplier;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.config.ModelIndex;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * diffusers' {@code StableDiffusionPipeline} and {@code StableDiffusionXLPipeline} text-to-image call on loaded
 * networks: prompt encoding with textual-inversion embeddings (SDXL: both encoders, the pooled projection and
 * the zeroed negative conditioning of {@code force_zeros_for_empty_prompt}), the denoising loop of a
 * {@link SamplingPlan} (SDXL: with {@code add_time_ids}), the VAE decode of latents / scaling_factor and the
 * conversion to 8-bit RGB.
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
     * @param negative the negative conditioning, used only when guidance is enabled
     */
    public record Request(SamplingPlan plan, EncodedPrompt prompt, EncodedPrompt negative, Guidance guidance,
                          int height, int width) {}

    /** {@code StableDiffusionPipeline.__call__}'s default {@code guidance_scale}. */
    public static final double SD_GUIDANCE_SCALE = 7.5;
    /** {@code StableDiffusionXLPipeline.__call__}'s default {@code guidance_scale}. */
    public static final double SDXL_GUIDANCE_SCALE = 5.0;

    private final DiffusersFolder model;
    private final TextConditioner text;
    private final UNet2DCondition unet;
    private final AutoencoderKL vae;

    public ImageGenerator(DiffusersFolder model, TextConditioner text, UNet2DCondition unet, AutoencoderKL vae) {
        this.model = model;
        this.text = text;
        this.unet = unet;
        this.vae = vae;
    }

    public DiffusersFolder model() {
        return model;
    }

    /** The model's sampler values, for {@code Sampler.plan}. */
    public SchedulerValues schedulerValues() {
        return SchedulerValues.of(model.root() + " (scheduler)", model.schedulerJson());
    }

    /** The token width of each text encoder, in encoder order. */
    public int[] tokenWidths() {
        return text.widths();
    }

    /** The pipeline's own default guidance scale: 7.5 for SD 1.x/2.x, 5.0 for SDXL. */
    public double defaultGuidanceScale() {
        return model.isSdxl() ? SDXL_GUIDANCE_SCALE : SD_GUIDANCE_SCALE;
    }

    /** A prompt encoder with fresh tokenizers of the model (one per text encoder) and {@code embeddings} loaded. */
    public PromptEncoder promptEncoder(List<Embedding> embeddings) throws InvalidTokenizerFolderException {
        return new PromptEncoder(model.tokenizers(), text, embeddings);
    }

    /** The model's default image side: {@code unet.sample_size · vae_scale_factor}. */
    public int defaultSize() {
        return model.unetConfig().sampleSize() * vaeScaleFactor();
    }

    public int vaeScaleFactor() {
        return model.vaeConfig().scaleFactor();
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

    /** The conditioning of {@code text}: prompt_embeds [1, 77, D] and, for SDXL, the pooled [1, P], as floats. */
    public EncodedPrompt encode(NDManager parent, PromptEncoder encoder, String text) {
        return withoutGradients(() -> {
            try (NDManager scope = parent.newSubManager()) {
                Conditioning c = encoder.encode(scope, text);
                NDArray embeds = c.promptEmbeds();
                float[] pooled = c.pooled().map(p -> p.toType(DataType.FLOAT32, false).toFloatArray()).orElse(null);
                return new EncodedPrompt(embeds.toType(DataType.FLOAT32, false).toFloatArray(), embeds.getShape(), pooled);
            }
        });
    }

    /**
     * The negative conditioning as {@code encode_prompt} forms it. {@code negative} null is diffusers'
     * {@code negative_prompt=None}: SD encodes "", and an SDXL pipeline with {@code force_zeros_for_empty_prompt}
     * (its default) takes zeros like the prompt's embeddings, pooled ones included. Any text, "" too, is encoded.
     */
    public EncodedPrompt encodeNegative(NDManager parent, PromptEncoder encoder, String negative, EncodedPrompt prompt) {
        if (negative == null && zerosForEmptyNegative()) {
            return prompt.zeros();
        }
        return encode(parent, encoder, negative == null ? "" : negative);
    }

    /**
     * {@code force_zeros_for_empty_prompt}: an SDXL pipeline's config value, true when model_index.json lacks it
     * (the pipeline's default) or for a single file; SD pipelines have no such setting.
     */
    public boolean zerosForEmptyNegative() {
        if (!model.isSdxl()) {
            return false;
        }
        ModelIndex index = model.index();
        return index == null || index.forceZerosForEmptyPrompt() == null || index.forceZerosForEmptyPrompt();
    }

    /**
     * SDXL's {@code add_time_ids} [6] of an image of {@code height × width}, as the pipeline forms them from its
     * defaults: original size (h, w), crop top-left (0, 0), target size (h, w); null for SD 1.x/2.x.
     */
    public float[] addTimeIds(int height, int width) {
        return unet.needsAddedConditions() ? new float[] {height, width, 0, 0, height, width} : null;
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
        float[] latents = withoutGradients(() -> new DenoisingLoop(unet).run(parent, request.plan(), initial, shape,
                request.prompt(), request.negative(), addTimeIds(request.height(), request.width()), request.guidance(),
                noise, observer));
        return decode(parent, latents, shape, request.height(), request.width());
    }

    /** {@code vae.decode(latents / scaling_factor)}, then the 8-bit conversion. */
    public Image decode(NDManager parent, float[] latents, Shape shape, int height, int width) {
        return withoutGradients(() -> {
            try (NDManager scope = parent.newSubManager()) {
                NDArray scaled = scope.create(latents, shape).div((float) vae.scalingFactor());
                float[] decoded = vae.decode(scaled).toType(DataType.FLOAT32, false).toFloatArray();
                int[] rgb = PixelConversion.toUint8(PixelConversion.toUnitHwc(decoded, height, width));
                return new Image(latents, decoded, rgb, height, width);
            }
        });
    }

    /**
     * Runs {@code work} with libtorch's grad mode off on this thread, whatever the caller's: generation records no
     * autograd graph, so the networks free each block's temporaries as they go ({@link BlockScope}).
     */
    private static <T> T withoutGradients(Supplier<T> work) {
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(recording);
        }
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsWriter;
import org.neologism.trainer.generation.PromptEncoder;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;
import org.neologism.trainer.model.vae.LatentDistribution;

/**
 * A tiny fixture model taught its examples, so that it denoises its own pictures: the model the learning test
 * needs. A model with random weights cannot show learning. Its denoising loss on its own samples is not
 * lowest at the conditioning that drew them, because the samples follow no distribution its noise prediction
 * is the score of. And its random VAE does not give back the latents it decoded, so the PNGs carry almost nothing
 * of the sampler's latents into training. So, as Stable Diffusion itself was made, the VAE first learns to
 * reconstruct the examples' pictures, and then the UNet learns to denoise their latents with the text encoder
 * frozen, each conditioned on its example's prompt (whose trigger stands for the example's vector).
 * <p>
 * The UNet learns v-prediction, whatever the fixture's scheduler says, because only then does the loss depend on the
 * text. Where the noise hides which picture a latent came from (the top of the schedule), a UNet that reads the
 * wrong concept from the text misses v = √ᾱ·ε − √(1−ᾱ)·x₀ by about the pictures' difference, but ε only by √ᾱ times
 * it, under a tenth there; everywhere else x_t itself says which picture it is. Taught on ε, the UNet learned to
 * ignore the text (the losses with either concept's text agreed to the fourth digit).
 * <p>
 * The taught model is a copy of the fixture's folder with the taught UNet and VAE weights, {@code prediction_type}
 * v_prediction and {@code scaling_factor} 1/std of the taught latents, the rule by which SD's 0.18215 was chosen.
 */
final class TaughtModel {

    /**
     * A concept's pictures: {@code stripes} stripes of {@code ink} on {@code paper} (RGB in [0, 1]) across one axis,
     * one picture per phase; so many at any size, so that a VAE which scales by more still sees them.
     */
    record StripedConcept(boolean horizontal, float[] ink, float[] paper, int stripes) {

        /** CHW pixels in [-1, 1], as the dataset loader gives them. */
        float[] picture(int size, double phase) {
            float[] pixels = new float[3 * size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double along = horizontal ? y : x;
                    double strength = 0.5 + 0.5 * Math.sin(2 * Math.PI * along / ((double) size / stripes) + phase);
                    for (int c = 0; c < 3; c++) {
                        double value = paper[c] + strength * (ink[c] - paper[c]);
                        pixels[(c * size + y) * size + x] = (float) (2 * value - 1);
                    }
                }
            }
            return pixels;
        }
    }

    /** One thing taught: a prompt (its trigger, if any, standing for the embedding's vector) and its picture. */
    record Example(String prompt, List<Embedding> embeddings, float[] picture) {}

    /**
     * How teaching is checked: {@code own}'s picture must be drawn from {@code own}'s text, not {@code other}'s, and
     * from each of {@code drawingPrompts} with {@code own}'s embeddings (the prompts its user will draw with).
     */
    record Probe(Example own, Example other, List<String> drawingPrompts) {}

    /** How long each network is taught, in steps of batches of pictures, with Adam at {@code learningRate}. */
    record Lesson(int vaeSteps, int vaeBatch, int unetSteps, int unetBatch, double learningRate) {}

    /**
     * The UNet is taught until it reads the text (at most the lesson's steps): until, near the top of the schedule,
     * where the noise hides which picture a latent came from, the probe's picture's loss with its own text is at
     * most this fraction of its loss with the other text. Checked every {@code TEXT_CHECKS} steps.
     */
    private static final double TEXT_CHECK_RATIO = 0.5;
    private static final int TEXT_CHECK_TIMESTEP = 800;
    private static final int TEXT_CHECKS = 25;
    /** Teaching timesteps are T·u^this for u uniform: denser near the top of the schedule, where the text counts. */
    private static final double TIMESTEP_POWER = 0.5;
    /**
     * ... and until pictures drawn from the probe's drawing prompts and decoded are, on average, at most this far
     * toward the other picture.
     */
    private static final double DRAWN_CHECK = 0.3;

    /** The noise the decoder learns to ignore, as a fraction of the latents' root mean square. */
    private static final double DECODER_MARGIN = 0.1;

    private static final AdamW.Settings ADAM = new AdamW.Settings(0.9, 0.999, 0.0, 1e-8);

    private final DiffusersFolder model;
    private final int resolution;
    private final Lesson lesson;
    private final Random random;
    private final Consumer<String> log;
    private final long created = System.nanoTime();

    TaughtModel(DiffusersFolder model, int resolution, Lesson lesson, long seed, Consumer<String> log) {
        this.model = model;
        this.resolution = resolution;
        this.lesson = lesson;
        this.random = new Random(seed);
        this.log = log;
    }

    /**
     * Teaches the examples and writes the taught model to {@code folder}, which is returned. The UNet is taught
     * until it draws {@code probe}'s own picture from its own text clearly better than from the other text (at most
     * the lesson's steps).
     */
    Path teach(List<Example> examples, Probe probe, Path folder) throws IOException {
        // Weights are updated in place between backward passes, which autograd allows only with grad mode off.
        JniUtils.setGradMode(false);
        long started = System.nanoTime();
        copyFixture(folder);
        setConfig(folder.resolve("scheduler").resolve("scheduler_config.json"), "prediction_type", "v_prediction");
        DdpmSchedule schedule = DiffusersFolder.open(folder, WeightFiles.OPENER).schedule();
        List<float[]> pictures = new ArrayList<>(examples.stream().map(Example::picture).toList());
        pictures.add(probe.own().picture());
        pictures.add(probe.other().picture());
        try (NDManager manager = new TorchEngine().newManager();
             KernelChoice kernels = KernelChoice.of(true, false, manager, log)) {
            AutoencoderKL vae = model.loadVae(manager, DataType.FLOAT32, kernels.kernels());
            double reconstruction = teachVae(manager, vae, pictures);
            float[][] means = new float[pictures.size()][];
            float[][] stds = new float[pictures.size()][];
            Shape latentShape = latents(manager, vae, pictures, means, stds);
            double scalingFactor = 1 / standardDeviation(means);
            log.accept(String.format(Locale.ROOT, "  taught the VAE in %d steps: loss %.5f; latents' std %.4f, so"
                    + " scaling_factor %.4f; posterior spread %.4f (root mean square) (%.1f s)", lesson.vaeSteps(),
                    reconstruction, 1 / scalingFactor, scalingFactor, rootMeanSquare(stds), seconds(started)));
            float[] near = probe.own().picture();
            float[] far = probe.other().picture();
            log.accept(String.format(Locale.ROOT, "  the VAE's round trip (decoded posterior mean) puts the probe's own"
                    + " picture %.3f and the other %.3f of the way from the own to the other", blend(roundTrip(manager,
                    vae, means[means.length - 2], latentShape), near, far), blend(roundTrip(manager, vae,
                    means[means.length - 1], latentShape), near, far)));

            TextConditioner text = model.loadTextConditioner(manager, DataType.FLOAT32, kernels.kernels());
            List<float[]> states = new ArrayList<>();
            Shape stateShape = null;
            for (Example example : examples) {
                stateShape = encode(manager, text, example, states);
            }
            float[] ownText = textState(manager, text, probe.own());
            float[] otherText = textState(manager, text, probe.other());
            List<float[]> drawingTexts = new ArrayList<>();
            for (String prompt : probe.drawingPrompts()) {
                encode(manager, text, new Example(prompt, probe.own().embeddings(), probe.own().picture()), drawingTexts);
            }
            log.accept(String.format(Locale.ROOT, "  %d examples' text states (%.1f s)", states.size(), seconds(started)));
            UNet2DCondition unet = model.loadUNet(manager, DataType.FLOAT32, kernels.kernels());
            Probing probing = new Probing(unet, vae, near, far, schedule, means[means.length - 2], latentShape,
                    scalingFactor, ownText, otherText, drawingTexts, stateShape);
            double denoising = teachUNet(manager, unet, schedule, means, stds, latentShape, scalingFactor, states,
                    stateShape, probing);
            log.accept(String.format(Locale.ROOT, "  taught the UNet: recent loss %.5f (%.1f s)", denoising,
                    seconds(started)));
            for (int t : new int[] {500, 800, 950}) {
                log.accept(String.format(Locale.ROOT, "  at t = %d the probe's picture's loss with its own text is %.3f"
                        + " of its loss with the other", t, probing.ratio(manager, t)));
            }
            writeWeights(folder, unet, vae);
            setConfig(folder.resolve("vae").resolve("config.json"), "scaling_factor", scalingFactor);
        }
        return folder;
    }

    private Shape encode(NDManager manager, TextConditioner text, Example example, List<float[]> states)
            throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            NDArray state = new PromptEncoder(model.tokenizers(), text, example.embeddings())
                    .encode(scope, example.prompt()).promptEmbeds();
            states.add(state.toFloatArray());
            return state.getShape();
        }
    }

    private float[] textState(NDManager manager, TextConditioner text, Example example) throws IOException {
        List<float[]> one = new ArrayList<>();
        encode(manager, text, example, one);
        return one.get(0);
    }

    /** Reconstruction through a sampled latent, so the posterior's spread shrinks until decoding ignores it. */
    private double teachVae(NDManager manager, AutoencoderKL vae, List<float[]> pictures) {
        double last = Double.NaN;
        try (ModuleOptimizer optimizer = new ModuleOptimizer(vae, manager)) {
            for (int step = 0; step < lesson.vaeSteps(); step++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray batch = scope.create(stack(pictures, pick(pictures.size(), lesson.vaeBatch())),
                            new Shape(lesson.vaeBatch(), 3, resolution, resolution));
                    try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                        LatentDistribution posterior = vae.encode(batch);
                        NDArray eps = gaussian(scope, posterior.mean().getShape());
                        // SD's VAE leaves a posterior spread far below its latents' scale. A random one starts near
                        // 1, and sampled latents that noisy would add their noise to every later loss and gradient,
                        // so the spread itself is penalised besides the reconstruction.
                        NDArray spread = posterior.std();
                        // The decoder must also draw the picture from latents near, not only at, the taught ones:
                        // the UNet's samples land a little off them. Decoding only the posterior's own spread (0.08
                        // of latents whose spread is 3.6), it drew the samples of e* (0.09-0.57 of the way to the
                        // other picture in latent space) as pictures 0.30-0.70 of the way.
                        float margin = (float) (DECODER_MARGIN
                                * Math.sqrt(posterior.mean().square().mean().getFloat()));
                        NDArray sample = posterior.mean().add(spread.add(margin).mul(eps));
                        NDArray loss = vae.decode(sample).sub(batch).square().mean()
                                .add(spread.square().mean());
                        collector.backward(loss);
                        last = loss.getFloat();
                    }
                    progress("VAE", step, lesson.vaeSteps(), last);
                    optimizer.step(scope, lesson.learningRate());
                }
            }
        }
        return last;
    }

    private double teachUNet(NDManager manager, UNet2DCondition unet, DdpmSchedule schedule, float[][] means,
                             float[][] stds, Shape latentShape, double scalingFactor, List<float[]> states,
                             Shape stateShape, Probing probing) {
        double recent = 0;
        long optimizerNanos = 0;
        int window = Math.min(20, lesson.unetSteps());
        int steps = lesson.unetSteps();
        try (ModuleOptimizer optimizer = new ModuleOptimizer(unet, manager)) {
            for (int step = 0; step < steps; step++) {
                if (step >= TEXT_CHECKS && step % TEXT_CHECKS == 0) {
                    double ratio = probing.ratio(manager, TEXT_CHECK_TIMESTEP);
                    // Drawing takes twenty UNet passes: only worth it once the UNet reads the text at all.
                    double drawn = ratio <= TEXT_CHECK_RATIO ? probing.drawn(manager) : Double.NaN;
                    log.accept(String.format(Locale.ROOT, "    UNet step %d: at t = %d the probe's picture's loss with"
                            + " its own text is %.3f of its loss with the other%s (%.1f s)", step, TEXT_CHECK_TIMESTEP,
                            ratio, Double.isNaN(drawn) ? "" : String.format(Locale.ROOT, "; drawn from its text, it is"
                            + " %.3f of the way to the other picture", drawn), seconds(created)));
                    if (ratio <= TEXT_CHECK_RATIO && drawn <= DRAWN_CHECK) {
                        steps = step;
                        break;
                    }
                }
                int[] chosen = new int[lesson.unetBatch()];
                long[] timesteps = new long[chosen.length];
                for (int i = 0; i < chosen.length; i++) {
                    chosen[i] = random.nextInt(states.size());
                    // One timestep from each of the batch's equal slices of probability: the batch's loss then
                    // varies far less from step to step than with timesteps drawn independently. The density grows
                    // with t (t = T·√u), because only near the top of the schedule does the text say more than x_t.
                    double slice = (i + random.nextDouble()) / chosen.length;
                    timesteps[i] = Math.min(schedule.numTrainTimesteps() - 1,
                            (long) (Math.pow(slice, TIMESTEP_POWER) * schedule.numTrainTimesteps()));
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray context = scope.create(stack(states, chosen),
                            new Shape(chosen.length, stateShape.get(1), stateShape.get(2)));
                    Shape batchShape = new Shape(chosen.length, latentShape.get(1), latentShape.get(2), latentShape.get(3));
                    NDArray mean = scope.create(stack(List.of(means), chosen), batchShape);
                    NDArray std = scope.create(stack(List.of(stds), chosen), batchShape);
                    NDArray x0 = mean.add(std.mul(gaussian(scope, batchShape))).mul((float) scalingFactor);
                    NDArray noise = gaussian(scope, batchShape);
                    NDArray noisy = schedule.addNoise(x0, noise, timesteps);
                    NDArray target = schedule.target(x0, noise, timesteps);
                    try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
                        NDArray prediction = unet.forward(noisy, scope.create(timesteps), context);
                        NDArray loss = prediction.sub(target).square().mean();
                        collector.backward(loss);
                        float value = loss.getFloat();
                        recent = step < window ? value : recent + (value - recent) / window;
                        progress("UNet", step, lesson.unetSteps(), value);
                    }
                    long before = System.nanoTime();
                    optimizer.step(scope, lesson.learningRate());
                    optimizerNanos += System.nanoTime() - before;
                }
            }
        }
        log.accept(String.format(Locale.ROOT, "    %d steps, of which Adam %.1f s", steps, optimizerNanos / 1e9));
        return recent;
    }

    /** The probe's picture denoised from its own text and from the other text, with fixed noise. */
    private record Probing(UNet2DCondition unet, AutoencoderKL vae, float[] picture, float[] otherPicture,
                           DdpmSchedule schedule, float[] mean,
                           Shape latentShape, double scalingFactor, float[] ownText, float[] otherText,
                           List<float[]> drawingTexts, Shape stateShape) {

        private static final int NOISES = 8;
        private static final int DRAWING_STEPS = 20;

        /**
         * Where pictures drawn from the drawing prompts (DDIM, η = 0, {@link #DRAWING_STEPS} steps, fixed noise, at
         * least {@link #NOISES} drawings, each prompt equally often) and decoded lie on the line from the own picture
         * (0) to the other (1), on average: 0 when the model draws what it was taught for those prompts, which the
         * probe's ratio at one timestep and one prompt does not show. (Measured on the first template's prompt alone
         * and in latent space, the stop rule passed at 0.245 while the images drawn from eight templates' prompts
         * came out 0.29-0.71 of the way: the decoder drew latents 0.09-0.57 of the way as pictures further on.)
         */
        double drawn(NDManager manager) {
            float[] cumulative = schedule.alphasCumprod();
            int stride = schedule.numTrainTimesteps() / DRAWING_STEPS;
            int drawings = drawingTexts.size() * ((NOISES + drawingTexts.size() - 1) / drawingTexts.size());
            int[] prompts = IntStream.range(0, drawings).map(i -> i % drawingTexts.size()).toArray();
            try (NDManager scope = manager.newSubManager()) {
                Shape shape = new Shape(drawings, latentShape.get(1), latentShape.get(2), latentShape.get(3));
                NDArray latents = scope.create(gaussian(new Random(-1), (int) shape.size()), shape);
                NDArray context = scope.create(stack(drawingTexts, prompts), new Shape(drawings, stateShape.get(1),
                        stateShape.get(2)));
                for (int t = (DRAWING_STEPS - 1) * stride; t >= 0; t -= stride) {
                    long[] timesteps = new long[drawings];
                    Arrays.fill(timesteps, t);
                    NDArray velocity = unet.forward(latents, scope.create(timesteps), context);
                    double now = cumulative[t];
                    double next = t - stride >= 0 ? cumulative[t - stride] : 1;
                    NDArray original = latents.mul((float) Math.sqrt(now)).sub(velocity.mul((float) Math.sqrt(1 - now)));
                    NDArray noise = velocity.mul((float) Math.sqrt(now)).add(latents.mul((float) Math.sqrt(1 - now)));
                    latents = original.mul((float) Math.sqrt(next)).add(noise.mul((float) Math.sqrt(1 - next)));
                }
                // Decoded, as the images the test trains on are: the decoder, not the UNet, may be what strays.
                return blend(vae.decode(latents.div((float) scalingFactor)).toFloatArray(), picture, otherPicture);
            }
        }

        /** Loss with its own text over loss with the other text, at {@code timestep}: below 1 when the UNet reads. */
        double ratio(NDManager manager, int timestep) {
            return loss(manager, timestep, ownText) / loss(manager, timestep, otherText);
        }

        private double loss(NDManager manager, int timestep, float[] text) {
            long[] timesteps = new long[NOISES];
            Arrays.fill(timesteps, timestep);
            int[] same = new int[NOISES];
            try (NDManager scope = manager.newSubManager()) {
                Shape shape = new Shape(NOISES, latentShape.get(1), latentShape.get(2), latentShape.get(3));
                NDArray x0 = scope.create(stack(List.of(mean), same), shape).mul((float) scalingFactor);
                NDArray noise = scope.create(gaussian(new Random(timestep), (int) shape.size()), shape);
                NDArray context = scope.create(stack(List.of(text), same), new Shape(NOISES, stateShape.get(1),
                        stateShape.get(2)));
                NDArray prediction = unet.forward(schedule.addNoise(x0, noise, timesteps), scope.create(timesteps),
                        context);
                return prediction.sub(schedule.target(x0, noise, timesteps)).square().mean().getFloat();
            }
        }
    }

    private static float[] roundTrip(NDManager manager, AutoencoderKL vae, float[] mean, Shape latentShape) {
        try (NDManager scope = manager.newSubManager()) {
            return vae.decode(scope.create(mean, latentShape)).toFloatArray();
        }
    }

    /**
     * Where {@code pixels} (one picture, or several one after another) lie on the line from {@code near} (0) to
     * {@code far} (1), on average.
     */
    static double blend(float[] pixels, float[] near, float[] far) {
        double along = 0;
        double squares = 0;
        for (int i = 0; i < pixels.length; i++) {
            int k = i % near.length;
            along += (pixels[i] - near[k]) * (double) (far[k] - near[k]);
            squares += (far[k] - near[k]) * (double) (far[k] - near[k]);
        }
        return along / squares;
    }

    /** Noise from the lesson's own seeded stream (libtorch's global generator is nobody's to seed here). */
    private NDArray gaussian(NDManager scope, Shape shape) {
        return scope.create(gaussian(random, Math.toIntExact(shape.size())), shape);
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Each picture's posterior mean and std, unscaled; returns one picture's latent shape. */
    private Shape latents(NDManager manager, AutoencoderKL vae, List<float[]> pictures, float[][] means, float[][] stds) {
        Shape shape = null;
        for (int i = 0; i < pictures.size(); i++) {
            try (NDManager scope = manager.newSubManager()) {
                LatentDistribution posterior = vae.encode(scope.create(pictures.get(i), new Shape(1, 3, resolution,
                        resolution)));
                means[i] = posterior.mean().toFloatArray();
                stds[i] = posterior.std().toFloatArray();
                shape = posterior.mean().getShape();
            }
        }
        return shape;
    }

    /** The fixture folder's files, which the taught weights and settings then replace. */
    private void copyFixture(Path folder) throws IOException {
        Path source = model.root();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = folder.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void writeWeights(Path folder, UNet2DCondition unet, AutoencoderKL vae) throws IOException {
        Path source = model.root();
        writeWeights(unet, folder.resolve(source.relativize(model.weightFile("unet", "diffusion_pytorch_model")).toString()));
        writeWeights(vae, folder.resolve(source.relativize(model.weightFile("vae", "diffusion_pytorch_model")).toString()));
    }

    private static void setConfig(Path file, String key, Object value) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(file.toFile());
        config.putPOJO(key, value);
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
    }

    private static void writeWeights(Module network, Path file) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().putMetadata("format", "pt");
        for (Map.Entry<String, Parameter> weight : network.namedParameters().entrySet()) {
            long[] shape = weight.getValue().shape().getShape();
            int[] dims = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                dims[i] = Math.toIntExact(shape[i]);
            }
            writer.addFloats(weight.getKey(), DType.F32, dims, weight.getValue().array().toFloatArray());
        }
        // A .safetensors written here must replace a .bin or .fp16 file the fixture might hold under this stem.
        Files.deleteIfExists(file);
        writer.write(file.resolveSibling(stem(file.getFileName().toString()) + ".safetensors"));
    }

    private static String stem(String fileName) {
        return fileName.substring(0, fileName.indexOf('.'));
    }

    private void progress(String network, int step, int steps, double loss) {
        if ((step + 1) % 100 == 0 || step + 1 == steps) {
            log.accept(String.format(Locale.ROOT, "    %s step %d/%d: loss %.5f (%.1f s)", network, step + 1, steps, loss,
                    seconds(created)));
        }
    }

    /** A batch of picture indices, each picture equally often (as nearly as the batch allows), from a random start. */
    private int[] pick(int count, int batch) {
        int[] chosen = new int[batch];
        int start = random.nextInt(count);
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = (start + i) % count;
        }
        return chosen;
    }

    private static float[] stack(List<float[]> rows, int[] chosen) {
        int width = rows.get(0).length;
        float[] stacked = new float[chosen.length * width];
        for (int i = 0; i < chosen.length; i++) {
            System.arraycopy(rows.get(chosen[i]), 0, stacked, i * width, width);
        }
        return stacked;
    }

    private static double rootMeanSquare(float[][] rows) {
        double squares = 0;
        long count = 0;
        for (float[] row : rows) {
            for (float value : row) {
                squares += (double) value * value;
                count++;
            }
        }
        return Math.sqrt(squares / count);
    }

    private static double standardDeviation(float[][] rows) {
        double sum = 0;
        double squares = 0;
        long count = 0;
        for (float[] row : rows) {
            for (float value : row) {
                sum += value;
                squares += (double) value * value;
                count++;
            }
        }
        double mean = sum / count;
        return Math.sqrt(squares / count - mean * mean);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * Adam (no weight decay) over every weight of a network: each weight is a leaf autograd differentiates,
     * updated in place after backward (grad mode off), and its gradient cleared for the next step. Not the
     * trainer's {@link DeviceAdamW}: that one reproduces the Java reference's rounding with float64 casts, which a
     * few hundred weights would pay for at every step, and nothing here is compared with a reference.
     */
    private static final class ModuleOptimizer implements AutoCloseable {

        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final float EPSILON = 1e-8f;
        /**
         * The cross-attention layers (the UNet's only way to the text) learn at this multiple of the rate. At the
         * lesson's rate the UNet denoised well for 150-200 steps before it began to read the text at all (the
         * probe's ratio stayed at 1.00); at 5x it reads by step 100-150, and the test fits in CI's two minutes.
         */
        private static final float CROSS_ATTENTION_RATE = 5f;

        private final NDManager manager;
        private final List<NDArray> weights = new ArrayList<>();
        private final List<NDArray> firstMoments = new ArrayList<>();
        private final List<NDArray> secondMoments = new ArrayList<>();
        private final List<Float> rates = new ArrayList<>();
        private int step;

        ModuleOptimizer(Module network, NDManager parent) {
            manager = parent.newSubManager();
            for (Map.Entry<String, Parameter> named : network.namedParameters().entrySet()) {
                NDArray weight = named.getValue().array();
                weight.setRequiresGradient(true);
                weights.add(weight);
                rates.add(named.getKey().contains("attn2.") ? CROSS_ATTENTION_RATE : 1f);
                firstMoments.add(manager.zeros(weight.getShape()));
                secondMoments.add(manager.zeros(weight.getShape()));
            }
        }

        /** @param scope the step's scope, which receives the gradients and the update's temporaries */
        void step(NDManager scope, double learningRate) {
            step++;
            float stepSize = (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step)));
            for (int i = 0; i < weights.size(); i++) {
                NDArray weight = weights.get(i);
                NDArray gradient = weight.getGradient();
                gradient.attach(scope);
                // Results of operations on the moments belong to the step's scope while it is open.
                scope.tempAttachAll(firstMoments.get(i), secondMoments.get(i));
                NDArray m = firstMoments.get(i).muli((float) BETA1).addi(gradient.mul((float) (1 - BETA1)));
                NDArray v = secondMoments.get(i).muli((float) BETA2).addi(gradient.square().muli((float) (1 - BETA2)));
                weight.subi(m.div(v.sqrt().addi(EPSILON)).muli(stepSize * rates.get(i)));
                // libtorch adds every backward's gradient to the last: start the next step from zero.
                gradient.muli(0);
            }
        }

        @Override
        public void close() {
            manager.close();
            weights.forEach(weight -> weight.setRequiresGradient(false));
        }
    }
}

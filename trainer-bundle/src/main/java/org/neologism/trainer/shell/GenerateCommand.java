package org.neologism.trainer.shell;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.neologism.core.sampling.Sampler;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.generation.ImageGenerator;
import org.neologism.trainer.generation.TextToImage;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.training.KernelChoice;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.training.ModelLocator;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code ti:generate} and {@code ti:samplers}: text-to-image with any installed embedding, by its trigger, through a
 * sampler service. The work lives in {@link TextToImage}; this parses, resolves and prints.
 */
@Component(service = GenerateCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=generate",
    "osgi.command.function=samplers"
})
public class GenerateCommand {

    static final String DEFAULT_SAMPLER = "dpmpp_2m";
    /** ti:train's default model, so both commands find the same one. */
    static final String DEFAULT_MODEL = "stable-diffusion-1.5";
    private static final Pattern TRIGGER = Pattern.compile("<[^<>\\s]+>");

    private final BundleContext context;
    private final Settings settings;
    private final TorchEngine torch;
    private final EmbeddingLibrary library;
    private final Map<String, Sampler> samplers = new ConcurrentHashMap<>();

    @Activate
    public GenerateCommand(BundleContext context, @Reference TorchEngine torch, @Reference EmbeddingLibrary library,
                           @Reference Settings settings) {
        this.context = context;
        this.settings = settings;
        this.torch = torch;
        this.library = library;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSampler(Sampler sampler) {
        samplers.put(sampler.name(), sampler);
    }

    void removeSampler(Sampler sampler) {
        samplers.remove(sampler.name(), sampler);
    }

    @Descriptor("List the registered samplers (--sampler names for ti:generate)")
    public void samplers() {
        new TreeMap<>(samplers).forEach((name, sampler) -> System.out.println(name + "  " + sampler.label()));
    }

    @Descriptor("Draw images from a prompt as diffusers' StableDiffusionPipeline (SDXL: StableDiffusionXLPipeline) does; installed embeddings are used by"
            + " their trigger (quote it in the shell: '<cat-toy>'). Writes a PNG per image and a grid.")
    public void generate(
            @Descriptor("a diffusers model folder, a .safetensors/.ckpt checkpoint, or the name of one under <root>/models"
                    + " or in configs/models.yaml (default " + DEFAULT_MODEL + ")")
            @Parameter(names = "--model", absentValue = DEFAULT_MODEL) String model,
            @Descriptor("what to draw, e.g. \"a photo of <cat-toy> on a beach\" (required)")
            @Parameter(names = "--prompt", absentValue = "") String prompt,
            @Descriptor("what to steer away from (default none)")
            @Parameter(names = "--negative_prompt", absentValue = "") String negativePrompt,
            @Descriptor("sampler by name, see ti:samplers (default " + DEFAULT_SAMPLER + ")")
            @Parameter(names = "--sampler", absentValue = DEFAULT_SAMPLER) String samplerName,
            @Descriptor("denoising steps (default 30)")
            @Parameter(names = "--steps", absentValue = "30") int steps,
            @Descriptor("classifier-free guidance; 1 turns it off (default 7.5)")
            @Parameter(names = "--guidance_scale", absentValue = "7.5") double guidanceScale,
            @Descriptor("image width in pixels (default: the model's size)")
            @Parameter(names = "--width", absentValue = "0") int width,
            @Descriptor("image height in pixels (default: the model's size)")
            @Parameter(names = "--height", absentValue = "0") int height,
            @Descriptor("random seed: image i uses seed + i (default: random)")
            @Parameter(names = "--seed", absentValue = "") String seed,
            @Descriptor("how many images (default 1)")
            @Parameter(names = "--num_images", absentValue = "1") int numImages,
            @Descriptor("folder for the PNGs (default <root>/outputs)")
            @Parameter(names = "--output", absentValue = "") String output,
            @Descriptor("the root folder (default: NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)")
            @Parameter(names = "--root", absentValue = "") String rootPath,
            @Descriptor("cpu, gpu or gpu:N (default: a GPU when one is visible)")
            @Parameter(names = "--device", absentValue = "") String device,
            @Descriptor("libtorch's CPU threads for this command (default: the host's configured cpu.threads, else one per core)")
            @Parameter(names = "--cpu_threads", absentValue = "0") int cpuThreads,
            @Descriptor("use the composed attention and group norm instead of libtorch's fused kernels")
            @Parameter(names = "--no_fused_attention", presentValue = "true", absentValue = "false") boolean noFused,
            @Descriptor("for a single-file model: its LDM YAML or a diffusers folder with its configs (default: inferred)")
            @Parameter(names = "--original_config", absentValue = "") String originalConfig,
            @Descriptor("for an SD 2.x single file: epsilon or v_prediction")
            @Parameter(names = "--prediction_type", absentValue = "") String predictionType)
            throws Exception {
        Sampler sampler = samplers.get(samplerName);
        if (sampler == null) {
            throw new IllegalArgumentException("--sampler " + samplerName + " is not registered; ti:samplers lists "
                    + String.join(", ", new TreeMap<>(samplers).keySet()));
        }
        long seedValue = seed.isBlank() ? new SecureRandom().nextLong() & 0xffffffffL : Long.parseLong(seed);
        TextToImage.Settings drawing = new TextToImage.Settings(prompt, negativePrompt, steps, guidanceScale, height,
                width, seedValue, numImages);
        RootFolder root = this.settings.root(rootPath);
        DiffusersFolder folderModel = ModelLocator.open(model, root,
                SingleFileOptions.of(originalConfig, predictionType, ""));
        PrintStream out = System.out;
        List<Embedding> embeddings = embeddingsIn(root, prompt + " " + negativePrompt, out);
        Path folder = output.isBlank() ? root.path().resolve("outputs") : Path.of(output).toAbsolutePath();

        JniUtils.setGradMode(false);
        // libtorch's threads are set per thread: this command draws on the shell's.
        torch.useIntraOpThreads(BenchCommand.threads(cpuThreads));
        long started = System.nanoTime();
        try (NDManager manager = torch.newManager(torch.device(device.isBlank() ? null : device));
             KernelChoice kernels = KernelChoice.of(!noFused, false, manager, out::println)) {
            ImageGenerator generator = new ImageGenerator(folderModel,
                    folderModel.loadTextConditioner(manager, DataType.FLOAT32, kernels.kernels()),
                    folderModel.loadUNet(manager, DataType.FLOAT32, kernels.kernels()),
                    folderModel.loadVae(manager, DataType.FLOAT32, kernels.kernels()));
            out.println("Generating " + numImages + " image(s) with " + sampler.label() + ", " + steps + " steps, guidance "
                    + guidanceScale + ", seed " + seedValue);
            long drawing0 = System.nanoTime();
            StepClock clock = new StepClock(drawing0);
            List<ImageGenerator.Image> images = TextToImage.run(manager, generator, sampler, embeddings, drawing,
                    (image, step, total) -> {
                        clock.stepDone(step);
                        out.print("\r" + bar(image, numImages, step, total, started));
                        out.flush();
                    });
            out.println();
            // with guidance each step runs the UNet on [negative, prompt] at once
            out.println(String.format(Locale.ROOT, "Drew %d image(s) in %.1f s: %.2f s per sampler step (UNet batch %d)",
                    numImages, (System.nanoTime() - drawing0) / 1e9, clock.secondsPerStep(), guidanceScale > 1 ? 2 : 1));
            for (Path file : TextToImage.write(images, folder, Long.toString(seedValue))) {
                out.println("Wrote " + file);
            }
        }
    }

    /**
     * The installed embeddings whose triggers the text uses; unknown <...> words are reported, not fatal. A
     * {@code <name>} word finds the embedding the library keeps under that name, as InvokeAI's prompt syntax does:
     * SDXL's single files take their trigger from the file name, so {@code <xl-toy>} finds {@code xl-toy.safetensors}
     * and is then the token the prompt uses. Other installed triggers are used where the rest of the text has them.
     */
    private List<Embedding> embeddingsIn(RootFolder root, String text, PrintStream out) throws java.io.IOException {
        EmbeddingLibrary installed = library.under(root);
        List<Embedding> found = new ArrayList<>();
        Set<Path> used = new HashSet<>();
        Matcher words = TRIGGER.matcher(text);
        while (words.find()) {
            String word = words.group();
            Optional<InstalledEmbedding> embedding = installed.find(word);
            if (embedding.isEmpty()) {
                out.println("No installed embedding has the trigger " + word + "; it is read as plain text"
                        + " (ti:embeddings lists the installed ones)");
            } else if (used.add(embedding.get().file())) {
                // SDXL's two halves (clip_l, clip_g) each go to their own text encoder.
                embedding.get().parts().forEach(part -> found.add(part.withTrigger(word)));
                using(embedding.get(), word, out);
            }
        }
        String rest = TRIGGER.matcher(text).replaceAll(" ");
        for (InstalledEmbedding embedding : installed.list()) {
            if (!used.contains(embedding.file()) && rest.contains(embedding.trigger())) {
                used.add(embedding.file());
                found.addAll(embedding.parts());
                using(embedding, embedding.trigger(), out);
            }
        }
        return found;
    }

    private static void using(InstalledEmbedding embedding, String trigger, PrintStream out) {
        out.println("Using " + trigger + " (" + embedding.vectorCount() + " vector"
                + (embedding.vectorCount() == 1 ? "" : "s") + ") from " + embedding.file());
    }

    /**
     * Times the sampler steps alone: the mean gap between consecutive steps of an image, so the text encoding
     * and the VAE decode between images are not counted (with one step per image, the whole time per step).
     */
    static final class StepClock {
        private final long start;
        private long previous;
        private long stepNanos;
        private int timedSteps;
        private int steps;

        StepClock(long start) {
            this.start = start;
            this.previous = start;
        }

        void stepDone(int step) {
            long now = System.nanoTime();
            if (step > 1) {
                stepNanos += now - previous;
                timedSteps++;
            }
            steps++;
            previous = now;
        }

        double secondsPerStep() {
            return timedSteps > 0 ? stepNanos / 1e9 / timedSteps : (previous - start) / 1e9 / Math.max(1, steps);
        }
    }

    static String bar(int image, int images, int step, int total, long started) {
        int width = 30;
        double done = (image * (double) total + step) / ((double) images * total);
        int filled = (int) Math.round(done * width);
        double seconds = (System.nanoTime() - started) / 1e9;
        return String.format(Locale.ROOT, "image %d/%d |%s%s| step %d/%d %.1f s", image + 1, images, "#".repeat(filled),
                " ".repeat(width - filled), step, total, seconds);
    }
}

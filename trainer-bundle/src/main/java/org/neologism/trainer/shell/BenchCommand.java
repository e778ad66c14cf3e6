package org.neologism.trainer.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.training.MixedPrecision;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.core.root.RootFolder;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.training.ModelLocator;
import org.neologism.trainer.training.StepBenchmark;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code ti:bench}: the training step's speed on a model, for performance figures anyone can rerun. */
@Component(service = BenchCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=bench"
})
public class BenchCommand {

    private final TorchEngine torch;

    @Activate
    public BenchCommand(@Reference TorchEngine torch) {
        this.torch = torch;
    }

    @Descriptor("Time the textual-inversion training step on a model with random inputs of the real shapes and explain"
            + " it: per phase (text encoder, UNet forward, backward, optimizer, transfers), the step's analytic FLOPs"
            + " against a large matrix product's rate, the Java share of the wall time, host round trips and memory")
    public void bench(
            @Descriptor("image side in pixels (default 512)") @Parameter(names = "--resolution", absentValue = "512") int resolution,
            @Descriptor("images per step (default 1)") @Parameter(names = "--train_batch_size", absentValue = "1") int batchSize,
            @Descriptor("timed steps (default 5)") @Parameter(names = "--steps", absentValue = "5") int steps,
            @Descriptor("untimed warm-up steps (default 1)") @Parameter(names = "--warmup", absentValue = "1") int warmup,
            @Descriptor("no or fp16 (default no)") @Parameter(names = "--mixed_precision", absentValue = "no") String precision,
            @Descriptor("use the composed attention and group norm instead of the fused kernels")
            @Parameter(names = "--no_fused_attention", presentValue = "true", absentValue = "false") boolean composed,
            @Descriptor("encode the batch's images with the VAE every step, as diffusers does, instead of the latent cache")
            @Parameter(names = "--no_latent_cache", presentValue = "true", absentValue = "false") boolean noLatentCache,
            @Descriptor("recompute the UNet's block activations in backward (less memory, one more UNet forward)")
            @Parameter(names = "--gradient_checkpointing", presentValue = "true", absentValue = "false")
            boolean gradientCheckpointing,
            @Descriptor("cpu, gpu or gpu:N (default: a GPU when one is visible)")
            @Parameter(names = "--device", absentValue = "") String device,
            @Descriptor("libtorch's CPU threads for this command (default: the host's configured cpu.threads, else one per core)")
            @Parameter(names = "--cpu_threads", absentValue = "0") int cpuThreads,
            @Descriptor("break the profiled step down by kind of operator (self time, share, convolutions' and matrix"
                    + " products' GFLOP/s against the matmul peak) and list the slowest operators and convolution shapes")
            @Parameter(names = "--profile", presentValue = "true", absentValue = "false") boolean profile,
            @Descriptor("LDM YAML or diffusers folder describing a single-file model (default: inferred)")
            @Parameter(names = "--original_config", absentValue = "") String originalConfig,
            @Descriptor("epsilon or v_prediction, for an SD 2.x single file")
            @Parameter(names = "--prediction_type", absentValue = "") String predictionType,
            @Descriptor("a diffusers folder, a .safetensors/.ckpt checkpoint, or a model name (ti:models)") String model)
            throws IOException {
        PrintStream out = System.out;
        StepBenchmark.Options options = new StepBenchmark.Options(resolution, batchSize, MixedPrecision.of(precision).isHalf(),
                !composed, !noLatentCache, gradientCheckpointing, warmup, steps, device.isBlank() ? null : device, threads(cpuThreads),
                profile);
        DiffusersFolder pipeline = ModelLocator.open(model, RootFolder.ofProcess(),
                SingleFileOptions.of(originalConfig, predictionType, ""));
        StepBenchmark.Result result = StepBenchmark.run(torch, pipeline, options, out::println);
        BenchReport.print(result, out);
    }

    /** {@code --cpu_threads}: null when not given (the host's setting applies), else at least 1. */
    static Integer threads(int cpuThreads) {
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("--cpu_threads must be at least 1, not " + cpuThreads
                    + " (leave it out for the configured number)");
        }
        return cpuThreads == 0 ? null : cpuThreads;
    }
}

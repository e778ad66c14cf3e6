package org.neologism.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.neologism.core.tensors.DType;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.create.Architecture;
import org.neologism.trainer.model.create.RandomModelWriter;
import org.neologism.trainer.model.fused.FusedKernels;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * Timings and memory, not a parity test (the name keeps it out of the default run):
 * {@code mvn ... -Dtest=NetworkTimingBench -Dbench.arch=sd15}. Writes the architecture with untrained
 * fp16 weights to a temporary folder, loads it as float32 and times forward and backward passes.
 */
class NetworkTimingBench {

    @Test
    void time() throws Exception {
        Architecture arch = Architecture.of(System.getProperty("bench.arch", "tiny-sd1"));
        int latentSide = Integer.getInteger("bench.latent", 64);
        Path dir = Files.createTempDirectory("neologism-bench");
        long t0 = System.nanoTime();
        DiffusersFolder folder = new RandomModelWriter(arch, 1, DType.F16).write(dir.resolve("model"));
        System.out.printf("BENCH %s: wrote untrained fp16 folder in %.1f s%n", arch.id(), (System.nanoTime() - t0) / 1e9);
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager()) {
            FusedKernels fused = FusedKernels.load(dir.resolve("kernels"), manager);
            String wanted = System.getProperty("bench.kernels", "fused,composed");
            for (Kernels kernels : new Kernels[] {fused, ComposedKernels.INSTANCE}) {
                if (!wanted.contains(kernels.name())) {
                    continue;
                }
                System.gc();
                long rss0 = rss();
                long heap0 = usedHeap();
                t0 = System.nanoTime();
                UNet2DCondition unet = folder.loadUNet(manager, DataType.FLOAT32, kernels);
                ClipTextModel te = folder.loadTextEncoder(manager, DataType.FLOAT32, kernels);
                AutoencoderKL vae = folder.loadVae(manager, DataType.FLOAT32, kernels);
                double load = (System.nanoTime() - t0) / 1e9;
                long bytes = (unet.parameterCount() + te.parameterCount() + vae.parameterCount()) * 4;
                System.out.printf("BENCH %s %s: loaded %.2f GB of float32 weights in %.1f s; RSS +%.2f GB, heap +%.0f MB%n",
                        arch.id(), kernels.name(), bytes / 1e9, load, (rss() - rss0) / 1e9, (usedHeap() - heap0) / 1e6);
                Shape latentShape = new Shape(1, 4, latentSide, latentSide);
                int pixels = latentSide * folder.vaeConfig().scaleFactor();
                time(manager, arch, kernels, "UNet forward " + latentSide + "x" + latentSide,
                        m -> unet.forward(m.randomNormal(latentShape), m.create(new long[] {500}),
                                te.forward(m.arange(0L, 77L).reshape(1, 77))));
                time(manager, arch, kernels, "text encoder forward", m -> te.forward(m.arange(0L, 77L).reshape(1, 77)));
                time(manager, arch, kernels, "VAE encode " + pixels + "x" + pixels,
                        m -> vae.encode(m.randomUniform(-1, 1, new Shape(1, 3, pixels, pixels))).mean());
                if (Boolean.parseBoolean(System.getProperty("bench.backward", "true"))) time(manager, arch, kernels, "TE+UNet forward+backward " + latentSide + "x" + latentSide, m -> {
                    NDArray vector = te.tokenEmbeddingRow(m, 5).reshape(1, -1);
                    vector.setRequiresGradient(true);
                    try (GradientCollector c = torch.engine().newGradientCollector()) {
                        NDArray states = te.forward(m.arange(0L, 77L).reshape(1, 77), new TokenSplice(new long[] {5}, vector));
                        NDArray loss = unet.forward(m.randomNormal(latentShape), m.create(new long[] {500}), states)
                                .square().mean();
                        c.backward(loss);
                    }
                    return vector.getGradient();
                });
                System.out.printf("BENCH %s %s: RSS after the runs +%.2f GB over the loaded weights%n", arch.id(),
                        kernels.name(), (rss() - rss0) / 1e9 - bytes / 1e9);
                unet.namedParameters().values().forEach(p -> p.array().close());
                te.namedParameters().values().forEach(p -> p.array().close());
                vae.namedParameters().values().forEach(p -> p.array().close());
            }
            fused.close();
        } finally {
            KernelChoice.deleteTree(dir);
        }
    }

    /** One warm-up and two timed runs, each in its own manager scope (so every intermediate is freed). */
    private static void time(NDManager parent, Architecture arch, Kernels kernels, String what,
            java.util.function.Function<NDManager, NDArray> run) {
        int runs = Integer.getInteger("bench.runs", 2);
        if (runs > 1) {
            try (NDManager scope = parent.newSubManager()) {
                run.apply(scope).toFloatArray();
            }
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            try (NDManager scope = parent.newSubManager()) {
                run.apply(scope).toFloatArray();
            }
        }
        System.out.printf("BENCH %s %s: %s %.3f s%n", arch.id(), kernels.name(), what, (System.nanoTime() - t0) / 1e9 / runs);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.neologism.trainer.engine.ProcessCpuTime;
import org.neologism.trainer.engine.ProcessMemory;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.nn.FlopCounter;
import org.neologism.trainer.model.nn.HostTransfers;

/**
 * Times the training step of a model as a run takes it — draw the batch, (without the latent cache:
 * encode its images with the VAE), text encoder with the spliced vectors, UNet forward, loss, backward,
 * AdamW — on random inputs of the real shapes, warm-up steps excluded, and explains the time: each
 * phase's share, the step's analytic floating-point work against a large matrix product's rate on the
 * same threads, the part of the wall time spent outside libtorch (measured with libtorch's profiler), the
 * host round trips, and memory.
 */
public final class StepBenchmark {

    /**
     * What to measure.
     *
     * @param device {@code --device}: cpu, gpu, gpu:N, or null for the default
     * @param cpuThreads {@code --cpu_threads}, or null for the host's configured number
     */
    public record Options(int resolution, int batchSize, boolean fp16, boolean fused, boolean latentCache,
                          boolean gradientCheckpointing, int warmup, int steps, String device, Integer cpuThreads,
                          boolean profile) {

        /** Without {@code --profile}: the per-operator breakdown is not recorded. */
        public Options(int resolution, int batchSize, boolean fp16, boolean fused, boolean latentCache,
                boolean gradientCheckpointing, int warmup, int steps, String device, Integer cpuThreads) {
            this(resolution, batchSize, fp16, fused, latentCache, gradientCheckpointing, warmup, steps, device, cpuThreads,
                    false);
        }

        public Options {
            if (resolution < 8 || resolution % 8 != 0) {
                throw new IllegalArgumentException("--resolution must be a positive multiple of 8, not " + resolution);
            }
            if (batchSize < 1 || steps < 1 || warmup < 0) {
                throw new IllegalArgumentException("--train_batch_size and --steps must be at least 1 and --warmup at"
                        + " least 0, not " + batchSize + ", " + steps + " and " + warmup);
            }
        }
    }

    /**
     * What was measured.
     *
     * @param inheritedThreads the intra-op threads this thread had before the benchmark set them
     * @param stepMillis      every timed step, in milliseconds
     * @param stepCpuMillis   every timed step's CPU time over all threads, in milliseconds
     * @param stepSystemMillis the part of it in the kernel
     * @param stepFaults      every timed step's minor page faults
     * @param phaseMillis     per phase, its median over the timed steps
     * @param vaeEncodeMillis one image through the VAE encoder
     * @param peakFlops       the best rate of a 2048² float32 matrix product on the step's threads
     * @param cpuPeakFlops    that product's best rate by CPU time per thread
     * @param javaSplit       one profiled step: its wall time and the part inside libtorch (with {@code --profile},
     *                        by kind of operator)
     * @param transfers       host round trips of one step
     * @param deviceMemoryBytes on a GPU, the most device memory in use after a timed step (CUDA's count, which
     *                        includes libtorch's cache); -1 on the CPU
     */
    public record Result(String model, Options options, String kernels, int threads, int inheritedThreads,
                         double[] stepMillis,
                         double[] stepCpuMillis, double[] stepSystemMillis, long[] stepFaults,
                         Map<StepClock.Phase, Double> phaseMillis, double vaeEncodeMillis, FlopCounter.Tally flops,
                         double peakFlops, double cpuPeakFlops, LibtorchTime.Split javaSplit, HostTransfers.Tally transfers,
                         long residentBytes, long peakResidentBytes, long deviceMemoryBytes) {

        public double medianMillis() {
            double[] sorted = stepMillis.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        public double achievedFlops() {
            return flops.total() / (medianMillis() / 1000);
        }

        /** The median step's CPU time: what the step costs whatever else shares the machine. */
        public double medianCpuMillis() {
            return median(stepCpuMillis);
        }

        /**
         * The rate the step would reach with the threads to itself: its work over its CPU time per thread.
         * Spinning threads count as busy, so this is, if anything, low.
         */
        public double cpuBoundFlops() {
            return flops.total() / (medianCpuMillis() / 1000 / threads);
        }

        public double medianSystemMillis() {
            return median(stepSystemMillis);
        }

        public long medianFaults() {
            return (long) median(Arrays.stream(stepFaults).asDoubleStream().toArray());
        }

        public double javaShare() {
            return javaSplit.javaShare();
        }
    }

    private static final int PEAK_MATRIX = 2048;

    private StepBenchmark() {}

    public static Result run(TorchEngine torch, DiffusersFolder model, Options options, Consumer<String> progress)
            throws IOException {
        Path modelDir = model.root();
        JniUtils.setGradMode(false);
        int inheritedThreads = JniUtils.getNumThreads();
        torch.useIntraOpThreads(options.cpuThreads());
        try (NDManager manager = torch.newManager(torch.device(options.device()));
             KernelChoice kernels = KernelChoice.of(options.fused(), options.fp16(), manager, progress)) {
            progress.accept("Loading " + modelDir);
            FrozenNetworks networks = FrozenNetworks.load(model, manager, options.fp16(), kernels.kernels());
            progress.accept("Measuring a " + PEAK_MATRIX + "² float32 matrix product's rate on "
                    + JniUtils.getNumThreads() + " threads");
            MatmulPeak.Rates peak = MatmulPeak.measure(manager, PEAK_MATRIX, 6);

            int resolution = options.resolution();
            SplittableRandom random = new SplittableRandom(1);
            float[] pixels = new float[3 * resolution * resolution];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) (random.nextDouble() * 2 - 1);
            }
            long vaeStart = System.nanoTime();
            LatentCache cache = LatentCache.encode(networks.vae(), manager, List.<float[][]>of(new float[][] {pixels, pixels}),
                    resolution);
            double vaeMillis = (System.nanoTime() - vaeStart) / 2e6;

            SyntheticRun run = new SyntheticRun(networks, cache, pixels, options, manager);
            Map<StepClock.Phase, double[]> phases = new EnumMap<>(StepClock.Phase.class);
            double[] timings = new double[options.steps()];
            double[] cpuTimings = new double[options.steps()];
            double[] systemTimings = new double[options.steps()];
            long[] faults = new long[options.steps()];
            long deviceMemory = -1;
            FlopCounter.Tally flops = null;
            HostTransfers.Tally transfers = null;
            for (int s = -options.warmup() - 1; s < options.steps(); s++) {
                if (s == -options.warmup() - 1) {
                    // The first step is counted, not timed: counting asks libtorch about every layer's input.
                    HostTransfers.Tally[] moved = new HostTransfers.Tally[1];
                    flops = FlopCounter.count(() -> moved[0] = HostTransfers.count(() -> run.step(StepClock.NONE)));
                    transfers = moved[0];
                    continue;
                }
                long cpuStart = ProcessCpuTime.nanos();
                long systemStart = ProcessCpuTime.systemNanos();
                long faultsStart = ProcessCpuTime.minorFaults();
                PhaseTimer timer = new PhaseTimer();
                run.step(timer);
                if (s >= 0) {
                    timings[s] = timer.totalNanos() / 1e6;
                    cpuTimings[s] = (ProcessCpuTime.nanos() - cpuStart) / 1e6;
                    systemTimings[s] = (ProcessCpuTime.systemNanos() - systemStart) / 1e6;
                    faults[s] = ProcessCpuTime.minorFaults() - faultsStart;
                    if (manager.getDevice().isGpu()) {
                        deviceMemory = Math.max(deviceMemory, CudaUtils.getGpuMemory(manager.getDevice()).getUsed());
                    }
                    int step = s;
                    timer.nanos().forEach((phase, nanos) ->
                            phases.computeIfAbsent(phase, p -> new double[options.steps()])[step] = nanos / 1e6);
                    progress.accept(String.format(java.util.Locale.ROOT, "step %d: %.1f ms (load %s)", s + 1, timings[s],
                            loadAverage()));
                }
            }
            LibtorchTime.Split split = LibtorchTime.measure(() -> run.step(StepClock.NONE),
                    options.profile() ? flops.convolutionOutputs() : null);
            Map<StepClock.Phase, Double> medians = new EnumMap<>(StepClock.Phase.class);
            phases.forEach((phase, values) -> medians.put(phase, median(values)));
            return new Result(modelDir.getFileName().toString(), options, kernels.kernels().name(), JniUtils.getNumThreads(),
                    inheritedThreads,
                    timings, cpuTimings, systemTimings, faults, medians, vaeMillis, flops, peak.wall(), peak.cpu(), split, transfers, ProcessMemory.residentBytes(),
                    ProcessMemory.peakResidentBytes(), deviceMemory);
        }
    }

    /** The system's 1, 5 and 15 minute load averages, as uptime prints them (empty off Linux). */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Laps of one step, by phase. */
    private static final class PhaseTimer implements StepClock {
        private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);
        private final long start = System.nanoTime();
        private long last = start;

        @Override
        public void lap(Phase finished) {
            long now = System.nanoTime();
            nanos.merge(finished, now - last, Long::sum);
            last = now;
        }

        Map<Phase, Long> nanos() {
            return nanos;
        }

        long totalNanos() {
            return last - start;
        }
    }
}

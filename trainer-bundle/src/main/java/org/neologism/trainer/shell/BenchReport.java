package org.neologism.trainer.shell;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.neologism.trainer.training.OperatorProfile;
import org.neologism.trainer.training.StepBenchmark;
import org.neologism.trainer.training.StepClock;

/** {@code ti:bench}'s account of a step: where its time goes and how close it comes to the machine's peak. */
final class BenchReport {

    private BenchReport() {}

    static void print(StepBenchmark.Result result, PrintStream out) {
        StepBenchmark.Options options = result.options();
        double median = result.medianMillis();
        double[] sorted = result.stepMillis().clone();
        java.util.Arrays.sort(sorted);
        out.printf(Locale.ROOT, "%s %dpx batch %d %s, %s kernels, %s%s, %d threads: median %s/step (%.3f it/s, %.2f images/s)"
                        + " over %d steps (%s–%s)%n",
                result.model(), options.resolution(), options.batchSize(), options.fp16() ? "fp16" : "fp32", result.kernels(),
                options.latentCache() ? "latent cache" : "VAE every step",
                options.gradientCheckpointing() ? ", gradient checkpointing" : "", result.threads(), time(median), 1000 / median,
                1000 * options.batchSize() / median, sorted.length, time(sorted[0]), time(sorted[sorted.length - 1]));
        if (result.inheritedThreads() != result.threads()) {
            out.printf(Locale.ROOT, "  (this thread had %d intra-op threads before the benchmark set %d)%n",
                    result.inheritedThreads(), result.threads());
        }
        double phases = 0;
        for (Map.Entry<StepClock.Phase, Double> phase : result.phaseMillis().entrySet()) {
            phases += phase.getValue();
            out.printf(Locale.ROOT, "  %-32s %10s  %5.1f %%%n", phase.getKey().label(), time(phase.getValue()),
                    100 * phase.getValue() / median);
        }
        var split = result.javaSplit();
        out.printf(Locale.ROOT, "  %-32s %10s  %5.1f %%   (profiled step: %s wall, %s inside libtorch's %d operators)%n",
                "Java outside libtorch", time(split.javaShare() * median), 100 * split.javaShare(),
                time(split.wallNanos() / 1e6), time(split.insideNanos() / 1e6), split.operators());
        out.printf(Locale.ROOT, "  CPU time %s/step over %d threads: %.1f GFLOP/s = %.0f %% of peak (%.1f GFLOP/s) by CPU time, as with the cores to itself%n",
                time(result.medianCpuMillis()), result.threads(), result.cpuBoundFlops() / 1e9,
                100 * result.cpuBoundFlops() / result.cpuPeakFlops(), result.cpuPeakFlops() / 1e9);
        out.printf(Locale.ROOT, "  of which in the kernel %s/step, %,d minor page faults/step (fresh pages zeroed and mapped)%n",
                time(result.medianSystemMillis()), result.medianFaults());
        double flops = result.flops().total();
        out.printf(Locale.ROOT, "  %.0f GFLOP/step (forward %.0f, backward %.0f), %.1f GFLOP/s = %.0f %% of peak (%.1f GFLOP/s,"
                        + " 2048² fp32 matmul); Java %.0f %%%n",
                flops / 1e9, result.flops().forward() / 1e9, result.flops().backward() / 1e9, result.achievedFlops() / 1e9,
                100 * result.achievedFlops() / result.peakFlops(), result.peakFlops() / 1e9, 100 * result.javaShare());
        out.printf(Locale.ROOT, "  host round trips per step: %d (%d uploads, %d downloads)%n", result.transfers().total(),
                result.transfers().uploads(), result.transfers().downloads());
        out.printf(Locale.ROOT, "  VAE encode %s/image; resident memory %.2f GB, peak %.2f GB; load average %s%n",
                time(result.vaeEncodeMillis()), result.residentBytes() / 1e9, result.peakResidentBytes() / 1e9,
                StepBenchmark.loadAverage());
        spinningWarning(out);
        if (result.deviceMemoryBytes() >= 0) {
            out.printf(Locale.ROOT, "  device memory in use %.2f GB (most after a step, CUDA's count with libtorch's cache);"
                    + " phases on a GPU are host-side times (the step's end waits for the device)%n",
                    result.deviceMemoryBytes() / 1e9);
        }
        if (Math.abs(phases - median) > 0.05 * median) {
            out.printf(Locale.ROOT, "  (the phases' medians add up to %s; steps varied under load)%n", time(phases));
        }
        if (split.profile() != null) {
            operators(split.profile(), split.wallNanos() / 1e3, result.peakFlops(), out);
            out.printf(Locale.ROOT, "  the profiled step's trace (chrome://tracing, Perfetto): %s%n", split.trace());
        }
    }

    /**
     * The profiled step by kind of operator. Self times are wall times of the thread that called the operator
     * (its OpenMP team works inside them), so rates are set against the matmul's wall-time rate of the same run.
     */
    private static void operators(OperatorProfile profile, double wallMicros, double peakFlops, PrintStream out) {
        out.printf(Locale.ROOT, "  operators of the profiled step (%s wall, self time of each operator, rates against the"
                + " %.1f GFLOP/s matmul by wall time):%n", time(wallMicros / 1e3), peakFlops / 1e9);
        for (OperatorProfile.Row row : profile.rows()) {
            String work = row.flops() == 0 ? "" : String.format(Locale.ROOT, "  %7.1f GFLOP %6.1f GFLOP/s = %3.0f %% of peak",
                    row.flops() / 1e9, row.rate() / 1e9, 100 * row.rate() / peakFlops);
            out.printf(Locale.ROOT, "    %-46s %9s %5.1f %% %7d calls%s%n",
                    row.kind().label() + (row.backward() ? ", backward" : ", forward"), time(row.selfMicros() / 1e3),
                    100 * row.selfMicros() / wallMicros, row.calls(), work);
        }
        if (profile.uncountedConvolutions() > 0) {
            out.printf(Locale.ROOT, "    (%d forward convolutions of a shape the counted step did not see: work left out)%n",
                    profile.uncountedConvolutions());
        }
        out.println("  slowest operators (self time):");
        profile.selfMicrosByName().entrySet().stream().limit(12).forEach(entry -> out.printf(Locale.ROOT,
                "    %-62s %9s %5.1f %%%n", entry.getKey(), time(entry.getValue() / 1e3), 100 * entry.getValue() / wallMicros));
        out.println("  slowest convolution shapes (input·kernel; whole calls, reorders and allocations inside included):");
        profile.convolutionShapes().stream().limit(12).forEach(shape -> out.printf(Locale.ROOT,
                "    %-42s %-8s %4d calls %9s %5.1f %%  %6.1f GFLOP/s = %3.0f %% of peak%n", shape.shape(),
                shape.backward() ? "backward" : "forward", shape.calls(), time(shape.micros() / 1e3),
                100 * shape.micros() / wallMicros, shape.rate() / 1e9, 100 * shape.rate() / peakFlops));
    }

    /**
     * libgomp's threads spin (up to GOMP_SPINCOUNT, 300,000 rounds) at every barrier unless the process has more
     * OpenMP threads than cores. On a machine busier than its cores the spinning thread takes the scheduler
     * slices its partner needs, and each of the step's thousands of parallel regions waits for one: a
     * single-team process (the benchmark) then takes several times the CPU and up to ten times the wall time of
     * the same step with passive waiting. A training run in a JVM that benchmarked first escapes it by accident
     * (the idle team counts, so libgomp throttles its spinning).
     */
    private static void spinningWarning(PrintStream out) {
        String policy = System.getenv("OMP_WAIT_POLICY");
        int cores = Runtime.getRuntime().availableProcessors();
        double load;
        try {
            load = Double.parseDouble(StepBenchmark.loadAverage().split(" ")[0]);
        } catch (NumberFormatException unknown) {
            return;
        }
        if (policy == null && load > cores) {
            out.printf(Locale.ROOT, "  load %.1f on %d cores with OMP_WAIT_POLICY unset: libgomp's spinning threads inflate"
                    + " these times several-fold; start with OMP_WAIT_POLICY=PASSIVE to measure the step itself%n", load, cores);
        }
    }

    private static String time(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000) : String.format(Locale.ROOT, "%.1f ms", millis);
    }
}

package org.neologism.trainer.training;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The warning for {@code --mixed_precision fp16} on a CPU that has no fp16 arithmetic. libtorch's half-precision
 * convolutions and matrix products are fast on a CPU only with AVX512-FP16 or AMX-FP16; elsewhere they take scalar
 * paths. On the AVX2 build machine an SD-1.5-sized step in fp16 took more than 30 times the CPU time of fp32
 * (`ti:bench`, see the README), which turns an hour's run into days without a word. accelerate, which diffusers'
 * scripts run under, refuses fp16 on a CPU outright; the run goes on here, because fp16 on a CPU is also how the
 * fp16 code path is tested without a GPU, but it says so first.
 */
final class CpuHalfPrecision {

    /** The CPU flags under which libtorch computes in half precision natively. */
    private static final Set<String> FP16_ARITHMETIC = Set.of("avx512_fp16", "amx_fp16");

    private CpuHalfPrecision() {}

    /** The warning for a run in half precision on {@code device} with these CPU flags, if it needs one. */
    static Optional<String> warning(boolean halfPrecision, Device device, Set<String> cpuFlags) {
        if (!halfPrecision || device.isGpu() || cpuFlags.stream().anyMatch(FP16_ARITHMETIC::contains)) {
            return Optional.empty();
        }
        return Optional.of("WARNING: --mixed_precision fp16 on a CPU without fp16 arithmetic (no avx512_fp16 or"
                + " amx_fp16 among its flags): libtorch's half-precision convolutions and matrix products run many"
                + " times slower than float32 here (over 30x measured on an AVX2 CPU). Train with --mixed_precision no"
                + " on this machine; fp16 is for GPUs.");
    }

    /** This machine's CPU flags from {@code /proc/cpuinfo}; empty where there is none to read. */
    static Set<String> cpuFlags() {
        return cpuFlags(Path.of("/proc/cpuinfo"));
    }

    static Set<String> cpuFlags(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("flags")).findFirst()
                    .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toUnmodifiableSet()))
                    .orElse(Set.of());
        } catch (IOException | UncheckedIOException unreadable) {
            // Files.lines reports a read failure after opening as UncheckedIOException; any other exception is a bug.
            return Set.of();
        }
    }
}

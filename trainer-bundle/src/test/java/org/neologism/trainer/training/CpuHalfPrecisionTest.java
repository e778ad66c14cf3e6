package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuHalfPrecisionTest {

    private static final Set<String> AVX2_ONLY = Set.of("fpu", "sse2", "avx", "avx2", "fma", "f16c");

    @TempDir
    Path work;

    @Test
    void fp16OnACpuWithoutFp16ArithmeticIsWarnedAboutNamingTheFlagAndTheFix() {
        String warning = CpuHalfPrecision.warning(true, Device.cpu(), AVX2_ONLY).orElseThrow();
        assertTrue(warning.startsWith("WARNING: --mixed_precision fp16"), warning);
        assertTrue(warning.contains("--mixed_precision no"), warning);
    }

    @Test
    void noWarningInFloat32OnAGpuOrOnACpuThatComputesInFp16() {
        assertEquals(Optional.empty(), CpuHalfPrecision.warning(false, Device.cpu(), AVX2_ONLY));
        assertEquals(Optional.empty(), CpuHalfPrecision.warning(true, Device.gpu(), AVX2_ONLY));
        assertEquals(Optional.empty(), CpuHalfPrecision.warning(true, Device.cpu(), Set.of("avx2", "avx512_fp16")));
        assertEquals(Optional.empty(), CpuHalfPrecision.warning(true, Device.cpu(), Set.of("avx2", "amx_fp16")));
    }

    @Test
    void flagsAreReadFromTheFirstProcessorsFlagsLine() throws Exception {
        Path cpuinfo = Files.writeString(work.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: AMD EPYC\n"
                + "flags\t\t: fpu avx2 f16c\nbogomips\t: 5200\n\nprocessor\t: 1\nflags\t\t: fpu avx2 f16c avx512_fp16\n");
        assertEquals(Set.of("fpu", "avx2", "f16c"), CpuHalfPrecision.cpuFlags(cpuinfo));
        assertEquals(Set.of(), CpuHalfPrecision.cpuFlags(work.resolve("missing")));
    }
}

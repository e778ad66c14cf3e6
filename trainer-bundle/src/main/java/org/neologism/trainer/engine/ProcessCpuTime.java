package org.neologism.trainer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time all of the process's threads have used (user + system), from /proc/self/stat in clock
 * ticks of 10 ms. On a shared machine a step's wall time depends on what else runs; its CPU time much
 * less, so the benchmark reports both. -1 off Linux.
 */
public final class ProcessCpuTime {

    private static final Path STAT = Path.of("/proc/self/stat");
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpuTime() {}

    public static long nanos() {
        long[] fields = stat(11, 12);
        return fields == null ? -1 : (fields[0] + fields[1]) * NANOS_PER_TICK;
    }

    /** The part of {@link #nanos()} spent in the kernel (page faults, zeroing fresh pages, system calls). */
    public static long systemNanos() {
        long[] fields = stat(12);
        return fields == null ? -1 : fields[0] * NANOS_PER_TICK;
    }

    /**
     * Minor page faults so far: each is a fresh page the kernel zeroes and maps, which is what an allocator that
     * returns freed memory to the system costs on every step. -1 off Linux.
     */
    public static long minorFaults() {
        long[] fields = stat(7);
        return fields == null ? -1 : fields[0];
    }

    /** Fields of /proc/self/stat counted from the one after the command name (the state), or null. */
    private static long[] stat(int... indices) {
        try {
            String stat = Files.readString(STAT);
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long[] values = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                values[i] = Long.parseLong(fields[indices[i]]);
            }
            return values;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

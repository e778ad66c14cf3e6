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
        try {
            String stat = Files.readString(STAT);
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

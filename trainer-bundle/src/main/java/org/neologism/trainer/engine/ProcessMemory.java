package org.neologism.trainer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory: the JVM heap plus libtorch's native tensors, which the heap figures
 * do not see. Read from /proc on Linux; elsewhere the heap in use is the best available figure.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    public static long residentBytes() {
        return statusField("VmRSS:");
    }

    /** The highest resident memory of the process so far (its high-water mark). */
    public static long peakResidentBytes() {
        return statusField("VmHWM:");
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux: fall through to the heap.
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}

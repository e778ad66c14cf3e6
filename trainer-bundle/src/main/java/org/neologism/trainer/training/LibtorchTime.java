package org.neologism.trainer.training;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The wall time a piece of work spends inside libtorch, measured with libtorch's own profiler: every
 * operator it runs is an interval in the profiler's trace, and the union of those intervals (over all
 * threads, since autograd may run the backward on its own) is the time libtorch was busy. What remains
 * of the wall time is Java's: DJL's bookkeeping, JNI crossings, our own code. The profiler adds a little
 * to each operator, so the Java share it gives is, if anything, too small.
 */
public final class LibtorchTime {

    /**
     * Wall time and the part of it spent inside libtorch operators, in nanoseconds; with operator shapes
     * recorded, also where the time went by kind of operator and the trace itself, kept for chrome://tracing
     * or Perfetto (else both null).
     */
    public record Split(long wallNanos, long insideNanos, int operators, OperatorProfile profile, Path trace) {

        Split(long wallNanos, long insideNanos, int operators) {
            this(wallNanos, insideNanos, operators, null, null);
        }

        public double javaShare() {
            return wallNanos == 0 ? 0 : Math.max(0, wallNanos - insideNanos) / (double) wallNanos;
        }
    }

    private LibtorchTime() {}

    /**
     * @param convolutionOutputs the step's convolution output shapes ({@link org.neologism.trainer.model.nn.FlopCounter
     *        .Tally#convolutionOutputs()}) to record operator shapes and break the time down by operator, or null for
     *        the split alone (recording shapes costs a little more per operator)
     */
    static Split measure(Runnable work, Map<String, long[]> convolutionOutputs) throws IOException {
        Path trace = Files.createTempFile("neologism-profile-", ".json");
        boolean keep = false;
        try {
            JniUtils.startProfile(false, convolutionOutputs != null, false);
            long start = System.nanoTime();
            long wall;
            try {
                work.run();
            } finally {
                wall = System.nanoTime() - start;
                JniUtils.stopProfile(trace.toString());
            }
            Split split = split(wall, trace);
            if (convolutionOutputs == null) {
                return split;
            }
            keep = true;
            return new Split(split.wallNanos(), split.insideNanos(), split.operators(),
                    OperatorProfile.read(trace, convolutionOutputs), trace);
        } finally {
            if (!keep) {
                Files.deleteIfExists(trace);
            }
        }
    }

    /** Reads a Chrome trace (an event array or {@code {"traceEvents": [...]}}); times in microseconds. */
    static Split split(long wallNanos, Path trace) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        List<double[]> intervals = new ArrayList<>();
        for (JsonNode event : events) {
            if (event.has("ts") && event.has("dur") && !"cpu_instant_event".equals(event.path("cat").asText())) {
                double start = event.path("ts").asDouble();
                intervals.add(new double[] {start, start + event.path("dur").asDouble()});
            }
        }
        intervals.sort(Comparator.comparingDouble(interval -> interval[0]));
        double busy = 0;
        double coveredTo = Double.NEGATIVE_INFINITY;
        for (double[] interval : intervals) {
            if (interval[1] > coveredTo) {
                busy += interval[1] - Math.max(interval[0], coveredTo);
                coveredTo = interval[1];
            }
        }
        return new Split(wallNanos, Math.min(wallNanos, (long) (busy * 1000)), intervals.size());
    }
}

package org.neologism.trainer.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.neologism.trainer.model.nn.FlopCounter;

/**
 * Where a profiled step's time goes, by kind of operator, from libtorch's Chrome trace (recorded with input
 * shapes): each operator's self time (its span less the operators nested in it, per thread), summed by
 * {@link Kind} and by forward or backward (what a convolution or attention runs inside, such as the im2col
 * copies and the matrix product of libtorch's non-oneDNN convolution, counts as that convolution or attention), and for the matrix-product kinds the work done, so that their
 * achieved rate can be set against the machine's matrix-product peak. Convolutions' output shapes come from
 * the benchmark's counted step ({@link FlopCounter.Tally#convolutionOutputs()}): a trace records only input
 * shapes, and stride and padding decide the output.
 */
public final class OperatorProfile {

    /** Kinds of operators, in the order a report lists them when their times tie. */
    public enum Kind {
        CONVOLUTION("convolution"),
        MATMUL("matrix product (mm, addmm, bmm)"),
        ATTENTION("fused attention (SDPA)"),
        GROUP_NORM("group norm"),
        LAYER_NORM("layer norm"),
        SOFTMAX("softmax"),
        ELEMENTWISE("element-wise and reductions"),
        COPY("copies, layout changes, gathers, upsampling"),
        ALLOCATION("allocation and fills"),
        VIEW("views (reshape, permute, slice)"),
        AUTOGRAD("autograd bookkeeping"),
        OTHER("other");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** An operator's kind by its name in the trace. */
        static Kind of(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.startsWith("autograd::") || n.startsWith("torch::autograd") || n.matches(".*backward\\d*$")
                    && !n.startsWith("aten::") || n.contains("accumulategrad")) {
                return AUTOGRAD;
            }
            String op = n.startsWith("aten::") ? n.substring(6) : n;
            if (op.contains("conv")) {
                return CONVOLUTION;
            }
            if (op.contains("scaled_dot_product") || op.contains("flash_attention") || op.contains("efficient_attention")) {
                return ATTENTION;
            }
            if (op.contains("group_norm")) {
                return GROUP_NORM;
            }
            if (op.contains("layer_norm")) {
                return LAYER_NORM;
            }
            if (op.contains("softmax")) {
                return SOFTMAX;
            }
            String base = op.replaceAll("_backward$", "").replaceAll("_$", "");
            if (List.of("mm", "addmm", "bmm", "baddbmm", "matmul", "linear", "mv", "addmv", "dot").contains(base)) {
                return MATMUL;
            }
            if (List.of("copy", "clone", "contiguous", "_to_copy", "to", "cat", "stack", "index", "index_select",
                    "embedding", "embedding_dense", "gather", "scatter", "repeat", "upsample_nearest2d", "_index_put_impl",
                    "index_put", "index_add", "constant_pad_nd", "pad", "flip", "roll", "where").contains(base)) {
                return COPY;
            }
            if (List.of("empty", "empty_strided", "empty_like", "zeros", "zeros_like", "zero", "fill", "ones", "ones_like",
                    "full", "full_like", "resize", "new_empty", "new_zeros", "new_empty_strided", "scalar_tensor",
                    "lift_fresh").contains(base)) {
                return ALLOCATION;
            }
            if (List.of("view", "reshape", "permute", "transpose", "expand", "expand_as", "unsqueeze", "squeeze", "slice",
                    "select", "as_strided", "t", "_unsafe_view", "detach", "alias", "flatten", "unflatten", "split",
                    "split_with_sizes", "chunk", "narrow", "_reshape_alias", "unbind", "view_as", "unfold",
                    "result_type", "is_nonzero", "_nnpack_available").contains(base)) {
                return VIEW;
            }
            if (n.startsWith("aten::")) {
                return ELEMENTWISE;
            }
            return OTHER;
        }
    }

    /** One kind's operators in forward or backward: self time in microseconds, work in FLOP (0 if not counted). */
    public record Row(Kind kind, boolean backward, long calls, double selfMicros, double flops) {

        /** FLOP per second of self time, or 0 when the kind's work is not counted. */
        public double rate() {
            return selfMicros == 0 ? 0 : flops / (selfMicros / 1e6);
        }
    }

    /** One convolution shape (forward or backward): its calls' whole spans, nested reorders and allocations included. */
    public record ShapeRow(String shape, boolean backward, long calls, double micros, double flops) {

        public double rate() {
            return micros == 0 ? 0 : flops / (micros / 1e6);
        }
    }

    private final List<Row> rows;
    private final List<ShapeRow> convolutionShapes;
    private final Map<String, Double> selfMicrosByName;
    private final double totalSelfMicros;
    private final long uncountedConvolutions;

    private OperatorProfile(List<Row> rows, List<ShapeRow> convolutionShapes, Map<String, Double> selfMicrosByName,
            long uncountedConvolutions) {
        this.rows = rows;
        this.convolutionShapes = convolutionShapes;
        this.selfMicrosByName = selfMicrosByName;
        this.totalSelfMicros = rows.stream().mapToDouble(Row::selfMicros).sum();
        this.uncountedConvolutions = uncountedConvolutions;
    }

    /** Rows by self time, longest first. */
    public List<Row> rows() {
        return rows;
    }

    /** Convolution shapes by time, longest first. */
    public List<ShapeRow> convolutionShapes() {
        return convolutionShapes;
    }

    /** Self time per operator name, longest first. */
    public Map<String, Double> selfMicrosByName() {
        return selfMicrosByName;
    }

    /** The sum of every operator's self time: the time the trace's threads spent inside libtorch. */
    public double totalSelfMicros() {
        return totalSelfMicros;
    }

    /** Forward convolutions whose output shape the counted step did not record (their work is left out). */
    public long uncountedConvolutions() {
        return uncountedConvolutions;
    }

    /** Reads a trace file (an event array or {@code {"traceEvents": [...]}}). */
    public static OperatorProfile read(Path trace, Map<String, long[]> convolutionOutputs) throws IOException {
        return of(new ObjectMapper().readTree(trace.toFile()), convolutionOutputs);
    }

    static OperatorProfile of(JsonNode root, Map<String, long[]> convolutionOutputs) {
        JsonNode array = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonNode node : array) {
            if (node.has("ts") && node.has("dur") && !"cpu_instant_event".equals(node.path("cat").asText())) {
                Event event = new Event(node.path("name").asText(), node.path("ts").asDouble(), node.path("dur").asDouble(),
                        shapes(node.path("shape")));
                byThread.computeIfAbsent(node.path("tid").asText(), t -> new ArrayList<>()).add(event);
            }
        }
        Map<Kind, double[][]> sums = new EnumMap<>(Kind.class); // [forward|backward][calls, self, flops]
        Map<String, double[]> shapeSums = new TreeMap<>();
        Map<String, Double> byName = new HashMap<>();
        long uncounted = 0;
        for (List<Event> events : byThread.values()) {
            nest(events);
            for (Event event : events) {
                Kind kind = event.kind;
                double[] sum = sums.computeIfAbsent(kind, k -> new double[2][3])[event.backward ? 1 : 0];
                sum[0]++;
                sum[1] += event.selfMicros();
                byName.merge(event.name, event.selfMicros(), Double::sum);
                // An operator a convolution or attention runs inside (im2col copies, the product, allocations) is
                // part of that call, whose work is counted once, at the call.
                double flops = event.inside ? 0 : flops(event, convolutionOutputs);
                if (flops < 0) {
                    uncounted++;
                    continue;
                }
                sum[2] += flops;
                if (flops > 0 && kind == Kind.CONVOLUTION) {
                    boolean backward = event.name.contains("backward");
                    long[] input = event.shapes.get(backward ? 1 : 0);
                    String key = FlopCounter.convolutionKey(input, event.shapes.get(backward ? 2 : 1));
                    double[] shape = shapeSums.computeIfAbsent((backward ? "b " : "f ") + key, k -> new double[3]);
                    shape[0]++;
                    shape[1] += event.duration;
                    shape[2] += flops;
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        sums.forEach((kind, phases) -> {
            for (int p = 0; p < 2; p++) {
                if (phases[p][0] > 0) {
                    rows.add(new Row(kind, p == 1, (long) phases[p][0], phases[p][1], phases[p][2]));
                }
            }
        });
        rows.sort(Comparator.comparingDouble(Row::selfMicros).reversed());
        List<ShapeRow> shapes = new ArrayList<>();
        shapeSums.forEach((key, s) -> shapes.add(new ShapeRow(key.substring(2), key.startsWith("b"), (long) s[0], s[1], s[2])));
        shapes.sort(Comparator.comparingDouble(ShapeRow::micros).reversed());
        Map<String, Double> names = new java.util.LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> names.put(entry.getKey(), entry.getValue()));
        return new OperatorProfile(List.copyOf(rows), List.copyOf(shapes), names, uncounted);
    }

    /**
     * The arithmetic an operator does itself, counted once per call at the operator that does it: the
     * forward convolution at {@code aten::convolution} (the layers below it are the same call), its input
     * gradient at {@code aten::convolution_backward} (the weights are frozen: no weight gradient), matrix
     * products at mm/addmm/bmm/baddbmm, attention at the fused kernel (backward: four products for the
     * forward's two, as {@link FlopCounter} counts). -1 for a forward convolution of unknown output.
     */
    private static double flops(Event event, Map<String, long[]> convolutionOutputs) {
        List<long[]> s = event.shapes;
        switch (event.name) {
            case "aten::convolution": {
                long[] out = s.size() > 1 ? convolutionOutputs.get(FlopCounter.convolutionKey(s.get(0), s.get(1))) : null;
                return out == null ? -1 : 2.0 * product(out) * product(s.get(1)) / s.get(1)[0];
            }
            case "aten::convolution_backward":
                // grad_output, input, weight: the input's gradient is a convolution of the output's size.
                return s.size() > 2 ? 2.0 * product(s.get(0)) * product(s.get(2)) / s.get(2)[0] : 0;
            case "aten::mm":
                return matrixProduct(s, 0);
            case "aten::addmm":
            case "aten::baddbmm":
                return matrixProduct(s, 1);
            case "aten::bmm":
                return matrixProduct(s, 0);
            default:
                break;
        }
        if (Kind.of(event.name) == Kind.ATTENTION && !event.name.equals("aten::scaled_dot_product_attention")) {
            boolean backward = event.name.contains("backward");
            int q = backward ? 1 : 0;
            if (s.size() > q + 1 && s.get(q).length == 4 && s.get(q + 1).length == 4) {
                long[] query = s.get(q);
                double forward = 4.0 * query[0] * query[1] * query[2] * query[3] * s.get(q + 1)[2];
                return backward ? 2 * forward : forward;
            }
        }
        return 0;
    }

    /** 2·M·K·N for {@code [.., M, K] × [.., K, N]} at argument positions {@code a} and {@code a + 1}. */
    private static double matrixProduct(List<long[]> s, int a) {
        if (s.size() < a + 2 || s.get(a).length < 2 || s.get(a + 1).length < 2) {
            return 0;
        }
        long[] left = s.get(a);
        long[] right = s.get(a + 1);
        return 2.0 * product(left) * right[right.length - 1];
    }

    private static double product(long[] shape) {
        double p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    private static List<long[]> shapes(JsonNode node) {
        List<long[]> shapes = new ArrayList<>();
        for (JsonNode shape : node) {
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).asLong();
            }
            shapes.add(dims);
        }
        return shapes;
    }

    /**
     * Finds each event's parent on its thread (the innermost event whose span holds it), subtracts children
     * from parents' self time, marks everything under an autograd node as backward, and gives what runs inside a
     * convolution or attention call that call's kind.
     */
    private static void nest(List<Event> events) {
        events.sort(Comparator.comparingDouble((Event e) -> e.start).thenComparing(e -> -e.duration));
        Deque<Event> open = new ArrayDeque<>();
        for (Event event : events) {
            while (!open.isEmpty() && event.start >= open.peek().end() - 1e-3) {
                open.pop();
            }
            Event parent = open.peek();
            if (parent != null) {
                parent.childMicros += event.duration;
            }
            Kind own = Kind.of(event.name);
            event.backward = parent != null && parent.backward || own == Kind.AUTOGRAD || event.name.contains("backward");
            boolean underCall = parent != null && (parent.kind == Kind.CONVOLUTION || parent.kind == Kind.ATTENTION);
            event.kind = underCall ? parent.kind : own;
            // aten::convolution under aten::conv2d is the same call; an mm under a convolution is part of one.
            event.inside = parent != null && parent.inside || underCall && own != parent.kind;
            open.push(event);
        }
    }

    private static final class Event {
        final String name;
        final double start;
        final double duration;
        final List<long[]> shapes;
        double childMicros;
        boolean backward;
        /** Part of a convolution or attention call (an operator of another kind run by it): its work is the call's. */
        boolean inside;
        Kind kind;

        Event(String name, double start, double duration, List<long[]> shapes) {
            this.name = name;
            this.start = start;
            this.duration = duration;
            this.shapes = shapes;
        }

        double end() {
            return start + duration;
        }

        double selfMicros() {
            return Math.max(0, duration - childMicros);
        }
    }
}

package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neologism.trainer.model.nn.FlopCounter;
import org.neologism.trainer.training.OperatorProfile.Kind;
import org.neologism.trainer.training.OperatorProfile.Row;

/**
 * ti:bench --profile's account of a trace as libtorch writes one (events in the order they end, times in µs,
 * input shapes): self time is an operator's span less what runs nested in it on its own thread, operators under an
 * autograd node count as backward, and the matrix-product kinds carry their work.
 */
class OperatorProfileTest {

    private static final String TRACE = """
            [
            {"name": "aten::empty", "ph": "X", "ts": 20, "dur": 2, "tid": 1, "pid": "CPU Functions", "shape": [[], []]},
            {"name": "aten::mkldnn_convolution", "ph": "X", "ts": 15, "dur": 70, "tid": 1, "shape": [[1, 2, 4, 4], [3, 2, 3, 3], [3]]},
            {"name": "aten::_convolution", "ph": "X", "ts": 10, "dur": 80, "tid": 1, "shape": [[1, 2, 4, 4], [3, 2, 3, 3], [3]]},
            {"name": "aten::convolution", "ph": "X", "ts": 5, "dur": 90, "tid": 1, "shape": [[1, 2, 4, 4], [3, 2, 3, 3], [3]]},
            {"name": "aten::conv2d", "ph": "X", "ts": 0, "dur": 100, "tid": 1, "shape": [[1, 2, 4, 4], [3, 2, 3, 3], [3]]},
            {"name": "aten::add", "ph": "X", "ts": 10, "dur": 50, "tid": 2, "shape": [[1, 3, 4, 4], [1, 3, 4, 4]]},
            {"name": "aten::mm", "ph": "X", "ts": 112, "dur": 5, "tid": 1, "shape": [[3, 18], [18, 64]]},
            {"name": "aten::convolution", "ph": "X", "ts": 110, "dur": 10, "tid": 1, "shape": [[1, 2, 8, 8], [3, 2, 3, 3], [3]]},
            {"name": "aten::addmm", "ph": "X", "ts": 150, "dur": 10, "tid": 1, "shape": [[4], [2, 3], [3, 4]]},
            {"name": "aten::_scaled_dot_product_flash_attention_for_cpu", "ph": "X", "ts": 170, "dur": 20, "tid": 1,
             "shape": [[1, 2, 5, 4], [1, 2, 7, 4], [1, 2, 7, 4]]},
            {"name": "aten::convolution_backward", "ph": "X", "ts": 205, "dur": 90, "tid": 1,
             "shape": [[1, 3, 4, 4], [1, 2, 4, 4], [3, 2, 3, 3], [], [], []]},
            {"name": "ConvolutionBackward0", "ph": "X", "ts": 202, "dur": 96, "tid": 1, "shape": []},
            {"name": "autograd::engine::evaluate_function: ConvolutionBackward0", "ph": "X", "ts": 200, "dur": 100, "tid": 1,
             "shape": []},
            {"name": "aten::mm", "ph": "X", "ts": 310, "dur": 8, "tid": 1, "shape": [[2, 4], [4, 3]]},
            {"name": "MmBackward0", "ph": "X", "ts": 305, "dur": 10, "tid": 1, "shape": []},
            {"name": "cpu instant", "ph": "i", "ts": 400, "dur": 0, "tid": 1, "cat": "cpu_instant_event"}
            ]
            """;

    @Test
    void selfTimesByKindAndDirectionWithTheWorkOfTheMatrixProducts() throws Exception {
        Map<String, long[]> outputs = Map.of(FlopCounter.convolutionKey(new long[] {1, 2, 4, 4}, new long[] {3, 2, 3, 3}),
                new long[] {1, 3, 4, 4});
        OperatorProfile profile = OperatorProfile.of(new ObjectMapper().readTree(TRACE), outputs);

        double convolution = 2.0 * (1 * 3 * 4 * 4) * (2 * 3 * 3);
        // conv2d, convolution, _convolution, mkldnn_convolution with the allocation inside it; then the second
        // convolution with the matrix product it runs (im2col + mm), whose work is the convolution's, not a matmul's.
        assertRow(profile, Kind.CONVOLUTION, false, 7, 10 + 10 + 10 + 68 + 2 + 5 + 5, convolution);
        assertRow(profile, Kind.CONVOLUTION, true, 1, 90, convolution);
        assertRow(profile, Kind.AUTOGRAD, true, 3, 4 + 6 + 2, 0);
        assertRow(profile, Kind.MATMUL, false, 1, 10, 2.0 * 2 * 3 * 4);
        assertRow(profile, Kind.MATMUL, true, 1, 8, 2.0 * 2 * 4 * 3);
        assertRow(profile, Kind.ATTENTION, false, 1, 20, 4.0 * 2 * 5 * 7 * 4);
        assertTrue(profile.rows().stream().noneMatch(row -> row.kind() == Kind.ALLOCATION), "allocations inside calls");
        // Another thread's operator overlaps the convolution in time but is not nested in it.
        assertRow(profile, Kind.ELEMENTWISE, false, 1, 50, 0);
        assertEquals(1, profile.uncountedConvolutions(), "the 8×8 convolution's output shape was not recorded");
        assertEquals(100 + 10 + 10 + 20 + 100 + 10 + 50, profile.totalSelfMicros(), 1e-9);
        assertEquals(68, profile.selfMicrosByName().get("aten::mkldnn_convolution"), 1e-9);
        assertEquals(5 + 8, profile.selfMicrosByName().get("aten::mm"), 1e-9, "by name, wherever it runs");
        assertEquals("aten::convolution_backward", profile.selfMicrosByName().keySet().iterator().next(), "longest first");

        List<OperatorProfile.ShapeRow> shapes = profile.convolutionShapes();
        assertEquals(2, shapes.size(), shapes.toString());
        assertEquals(true, shapes.get(0).backward());
        assertEquals(convolution / 90e-6, shapes.get(0).rate(), 1e-6);
        assertEquals("[1, 2, 4, 4]·[3, 2, 3, 3]", shapes.get(1).shape());
        assertEquals(90, shapes.get(1).micros(), 1e-9, "a forward shape's time is its aten::convolution span");
    }

    @Test
    void operatorsAreSortedIntoKindsByName() {
        assertEquals(Kind.GROUP_NORM, Kind.of("aten::native_group_norm_backward"));
        assertEquals(Kind.SOFTMAX, Kind.of("aten::_softmax_backward_data"));
        assertEquals(Kind.ELEMENTWISE, Kind.of("aten::silu_backward"));
        assertEquals(Kind.COPY, Kind.of("aten::copy_"));
        assertEquals(Kind.VIEW, Kind.of("aten::reshape"));
        assertEquals(Kind.AUTOGRAD, Kind.of("NativeGroupNormBackward0"));
        assertEquals(Kind.CONVOLUTION, Kind.of("aten::mkldnn_convolution"));
        assertEquals(Kind.MATMUL, Kind.of("aten::baddbmm"));
        assertEquals(Kind.OTHER, Kind.of("forward"));
    }

    private static void assertRow(OperatorProfile profile, Kind kind, boolean backward, long calls, double selfMicros,
            double flops) {
        Row row = profile.rows().stream().filter(r -> r.kind() == kind && r.backward() == backward).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + (backward ? " backward" : " forward") + " row in "
                        + profile.rows()));
        String what = kind + (backward ? " backward" : " forward");
        assertEquals(calls, row.calls(), what + " calls");
        assertEquals(selfMicros, row.selfMicros(), 1e-9, what + " self time");
        assertEquals(flops, row.flops(), 1e-9, what + " FLOP");
    }
}

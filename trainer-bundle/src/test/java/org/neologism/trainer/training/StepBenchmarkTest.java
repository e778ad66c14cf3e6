package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;

/** ti:bench's measurement on a fixture model: it times the steps it was asked for, on the threads it was given. */
class StepBenchmarkTest {

    /** The step stays on the device: nothing is copied from the host, and the shown loss is the one read back. */
    @Test
    void aStepUploadsNothingAndReadsBackOnce() throws Exception {
        TorchEngine torch = new TorchEngine();
        for (ModelVariant variant : Fixtures.modelVariants()) {
            if (!variant.architecture().supported()) {
                continue;
            }
            DiffusersFolder model = DiffusersFolder.open(variant.folder(), WeightFiles.OPENER);
            StepBenchmark.Result result = StepBenchmark.run(torch, model, new StepBenchmark.Options(32, 1, false, true,
                    true, false, 0, 1, "cpu", 1), line -> { });
            assertEquals(0, result.transfers().uploads(), variant.name() + ": tensors made from Java values in a step");
            assertEquals(1, result.transfers().downloads(), variant.name() + ": values read back in a step");
        }
    }

    @Test
    void cpuThreadsSetsTheThreadsTheStepsRunOn() throws Exception {
        TorchEngine torch = new TorchEngine();
        DiffusersFolder model = DiffusersFolder.open(Fixtures.anySupportedModel().folder(), WeightFiles.OPENER);
        for (int threads : new int[] {1, 2}) {
            List<String> progress = new ArrayList<>();
            StepBenchmark.Result result = StepBenchmark.run(torch, model, new StepBenchmark.Options(32, 1, false, true,
                    true, false, 0, 2, "cpu", threads), progress::add);
            assertEquals(threads, result.threads(), "--cpu_threads " + threads);
            assertEquals(2, result.stepMillis().length, "timed steps");
            assertTrue(progress.stream().anyMatch(line -> line.contains(" " + threads + " threads")), progress.toString());
        }
    }

    @Test
    void profileBreaksTheStepDownWithTheWorkOfEveryConvolutionCounted() throws Exception {
        TorchEngine torch = new TorchEngine();
        DiffusersFolder model = DiffusersFolder.open(Fixtures.anySupportedModel().folder(), WeightFiles.OPENER);
        StepBenchmark.Result result = StepBenchmark.run(torch, model, new StepBenchmark.Options(32, 1, false, true,
                true, false, 0, 1, "cpu", 1, true), line -> { });
        OperatorProfile profile = result.javaSplit().profile();
        assertNotNull(profile, "--profile");
        assertEquals(0, profile.uncountedConvolutions(), "every forward convolution's output shape was recorded");
        for (boolean backward : new boolean[] {false, true}) {
            for (OperatorProfile.Kind kind : List.of(OperatorProfile.Kind.CONVOLUTION, OperatorProfile.Kind.ATTENTION)) {
                assertTrue(profile.rows().stream().anyMatch(row -> row.kind() == kind && row.backward() == backward
                        && row.flops() > 0 && row.selfMicros() > 0), kind + (backward ? " backward" : " forward")
                        + " with its work in " + profile.rows());
            }
        }
        assertTrue(profile.totalSelfMicros() * 1e3 <= result.javaSplit().wallNanos() * 1.01,
                "one thread's self times cannot exceed the step's wall time");
        // A transformer's output in a transposed (channels-last) layout made libtorch copy the next 3×3 kernels
        // into that layout on every call: no operator of the step may copy a [out, in, 3, 3] tensor.
        JsonNode trace = new ObjectMapper().readTree(result.javaSplit().trace().toFile());
        List<String> kernelCopies = new ArrayList<>();
        for (JsonNode event : trace) {
            JsonNode first = event.path("shape").path(0);
            if (event.path("name").asText().equals("aten::clone") && first.size() == 4 && first.get(2).asLong() == 3
                    && first.get(3).asLong() == 3) {
                kernelCopies.add(first.toString());
            }
        }
        assertEquals(List.of(), kernelCopies, "convolution kernels copied during the step");
        Files.delete(result.javaSplit().trace());
    }
}

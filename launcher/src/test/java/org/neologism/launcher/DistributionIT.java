package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the built distribution's bin/neologism as a user would, with a throw-away home folder. */
class DistributionIT {

    @TempDir
    Path home;

    private Distribution.Run neologism(String... args) throws IOException, InterruptedException {
        return new Distribution(home).run(args);
    }

    @Test
    void infoNamesTheVersionsAndTheDevice() throws Exception {
        Distribution.Run run = neologism("--run", "ti:info");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Felix       7.0.5"), run.out());
        assertTrue(run.out().contains("DJL         0.36.0"), run.out());
        assertTrue(run.out().contains("libtorch    2.7.1"), run.out());
        assertTrue(run.out().contains("cpu()"), run.out());
        assertTrue(run.out().matches("(?s).*Schedules   .*constant.*"), run.out());
    }

    @Test
    void tensorCheckTrainsOnTheEngine() throws Exception {
        Distribution.Run run = neologism("--run", "ti:tensor-check");
        assertEquals(0, run.exitCode(), run.err());
        Matcher matcher = Pattern.compile("gradient norm ([0-9.]+), finite-difference relative error ([0-9.e+-]+)").matcher(run.out());
        assertTrue(matcher.find(), run.out());
        assertTrue(Double.parseDouble(matcher.group(1)) > 0);
        assertTrue(Double.parseDouble(matcher.group(2)) < 1e-6);
    }

    @Test
    void commandsRunInOrderAndTheFirstFailureStopsWithExitOne() throws Exception {
        Distribution.Run run = neologism("--run", "echo first", "--run", "ti:no-such-command", "--run", "echo third");
        assertEquals(1, run.exitCode());
        assertTrue(run.out().contains("first"), run.out());
        assertFalse(run.out().contains("third"), run.out());
        assertTrue(run.err().contains("ti:no-such-command"), run.err());
    }

    @Test
    void anUnknownOptionExitsWithUsageAdvice() throws Exception {
        Distribution.Run run = neologism("--frobnicate");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--frobnicate") && run.err().contains("--help"), run.err());
    }

    @Test
    void aComponentThatFailsToActivateIsReportedWithItsCause() throws Exception {
        // -D passes through and overrides the script's libtorch folder: the engine component cannot activate.
        Path noNatives = Files.createDirectories(home.resolve("no-natives"));
        Distribution.Run run = neologism("-DPYTORCH_LIBRARY_PATH=" + noNatives, "--run", "ti:tensor-check");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("Component org.neologism.trainer.engine.TorchEngine failed to activate"), run.err());
        assertTrue(run.err().contains("PYTORCH_LIBRARY_PATH=" + noNatives + " holds no libtorch.so"), run.err());
    }

    @Test
    void nothingIsWrittenToTheUsersHomeAndNothingIsDownloaded() throws Exception {
        Distribution.Run run = neologism("--run", "ti:info", "--run", "ti:tensor-check");
        assertEquals(0, run.exitCode(), run.err());
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(List.of(), files.toList());
        }
        assertFalse(run.err().toLowerCase().contains("download"), run.err());
    }
}

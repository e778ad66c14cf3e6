package org.neologism.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution's {@code bin/neologism}, run as a user runs it: in its own process, with a
 * throw-away home folder (so a test notices anything written there) and no inherited root folder.
 */
final class Distribution {

    static final Path HOME = Path.of(System.getProperty("neologism.dist", "target/neologism"));

    /** What a finished run printed. */
    record Run(int exitCode, String out, String err) {}

    private final Path home;

    Distribution(Path home) {
        this.home = home;
    }

    /** Runs {@code bin/neologism args...} to the end (at most {@code seconds}). */
    Run run(long seconds, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("neologism-out", ".txt");
        Path err = Files.createTempFile("neologism-err", ".txt");
        Process process = start(out, err, args);
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("neologism " + String.join(" ", args) + " did not exit within " + seconds + " s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    Run run(String... args) throws IOException, InterruptedException {
        return run(120, args);
    }

    /** Starts {@code bin/neologism args...} with its output going to the given files. */
    Process start(Path out, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HOME.resolve("bin/neologism").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("NEOLOGISM_ROOT");
        builder.environment().remove("INVOKEAI_ROOT");
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        return builder.start();
    }
}

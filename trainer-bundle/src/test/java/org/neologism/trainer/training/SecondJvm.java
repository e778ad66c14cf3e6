package org.neologism.trainer.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Starts a main class of the test class path in a JVM of its own, optionally as another user. */
final class SecondJvm {

    private SecondJvm() {}

    static Process start(List<String> prefix, String classPath, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static Process start(Class<?> main, String... args) throws IOException {
        return start(List.of(), System.getProperty("java.class.path"), main, args);
    }

    /** Reads the process's output until a line starts with {@code prefix}; fails if it ends first. */
    static String awaitLine(Process process, String prefix) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the second JVM ended without printing '" + prefix + "':\n" + seen);
    }
}

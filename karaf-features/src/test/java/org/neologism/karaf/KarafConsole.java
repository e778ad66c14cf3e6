package org.neologism.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Karaf distribution started with {@code bin/karaf}, typed into through its own console: each
 * command is followed by an {@code echo} of a marker, and its output is what the console printed up to
 * the marker's line.
 */
final class KarafConsole implements AutoCloseable {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

    private final Process process;
    private final OutputStream input;
    private final StringBuilder transcript = new StringBuilder();
    private int markers;
    private int consumed;

    private KarafConsole(Process process) {
        this.process = process;
        this.input = process.getOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream()), "karaf console output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code bin/karaf} of {@code karafHome} with {@code home} as the user's home folder. */
    static KarafConsole start(Path karafHome, Path home) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(karafHome.resolve("bin/karaf").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("EXTRA_JAVA_OPTS", "-Duser.home=" + home);
        builder.environment().remove("PYTORCH_LIBRARY_PATH");
        builder.redirectErrorStream(true);
        return new KarafConsole(builder.start());
    }

    /**
     * Types {@code command} and returns what it printed.
     *
     * @throws AssertionError when Karaf reports an error, or the command does not finish in time
     */
    String run(String command, Duration timeout) throws IOException, InterruptedException {
        String marker = "@@end-of-command-" + (++markers) + "@@";
        type(command);
        type("echo " + marker);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String output;
            synchronized (transcript) {
                String text = clean(transcript.substring(consumed));
                int end = indexOfLine(text, marker);
                if (end >= 0) {
                    consumed = transcript.length();
                    output = text.substring(0, end);
                    if (output.contains("Error executing command") || output.contains("Command not found")) {
                        throw new AssertionError("Karaf: " + command + " failed:\n" + output);
                    }
                    return output;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError(command + " did not finish within " + timeout + " (Karaf "
                        + (process.isAlive() ? "still running" : "exited") + "):\n" + clean(transcript()));
            }
            Thread.sleep(200);
        }
    }

    /**
     * Runs {@code command} once its command is registered: the console prompts before Karaf's boot
     * features (or a just-installed feature's components) have registered every command.
     */
    String runWhenRegistered(String command, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return run(command, timeout);
            } catch (AssertionError failed) {
                if (!failed.getMessage().contains("Command not found") || System.nanoTime() > deadline) {
                    throw failed;
                }
                Thread.sleep(2000);
            }
        }
    }

    /** Waits until the console shows its prompt, i.e. Karaf has booted and reads commands. */
    void awaitPrompt(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!clean(transcript()).contains("karaf@root()>")) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("Karaf showed no prompt within " + timeout + ":\n" + clean(transcript()));
            }
            Thread.sleep(200);
        }
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                type("shutdown -f");
            } catch (IOException closed) {
                // the console has gone already
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private void type(String line) throws IOException {
        input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (transcript) {
                    transcript.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException ended) {
            // the process has exited
        }
    }

    /** The console's text without colours and with one line per line (the prompt redraws with \r). */
    private static String clean(String raw) {
        return ANSI.matcher(raw).replaceAll("").replace("\r\n", "\n").replace('\r', '\n');
    }

    /** Where a line that is exactly {@code line} starts, or -1. The typed command line carries a prompt. */
    private static int indexOfLine(String text, String line) {
        int from = 0;
        while (true) {
            int at = text.indexOf(line, from);
            if (at < 0) {
                return -1;
            }
            boolean lineStart = at == 0 || text.charAt(at - 1) == '\n';
            int after = at + line.length();
            boolean lineEnd = after == text.length() || text.charAt(after) == '\n';
            if (lineStart && lineEnd) {
                return at;
            }
            from = after;
        }
    }
}

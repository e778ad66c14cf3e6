package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive {@code neologism} shell in a real terminal (tmux): Tab completes command names,
 * options, schedule and model names, installed triggers and paths; {@code help} describes each ti:
 * command in one line; the history lives in {@code <root>/.neologism_history} and comes back after a
 * restart, with Up and Ctrl-R.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteractiveShellIT {

    @TempDir
    static Path work;
    static Path home;
    static Path root;

    private String session;

    /** A root with an installed embedding and a model: the demo, trained for one step. */
    @BeforeAll
    static void rootWithAnEmbeddingAndAModel() throws Exception {
        home = Files.createDirectories(work.resolve("home"));
        root = work.resolve("root");
        ProcessBuilder builder = new ProcessBuilder(Distribution.HOME.resolve("bin/neologism").toString(), "--run",
                "ti:demo --root " + root + " --steps 1");
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("NEOLOGISM_ROOT");
        builder.environment().remove("INVOKEAI_ROOT");
        Process demo = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(work.resolve("demo.txt").toFile()).start();
        assertTrue(demo.waitFor(240, TimeUnit.SECONDS), "ti:demo did not finish");
        assertEquals(0, demo.exitValue(), Files.readString(work.resolve("demo.txt")));
    }

    @AfterEach
    void closeTerminal() throws Exception {
        if (session != null) {
            tmux("kill-session", "-t", session);
        }
    }

    @Test
    @Order(1)
    void tabCompletesCommandsOptionsNamesTriggersAndPaths() throws Exception {
        open();
        waitFor("g! ");

        type("ti:sch");
        keys("Tab");
        String screen = waitFor("ti:schedulers");
        assertTrue(screen.contains("ti:schedule"), screen);
        clearLine();

        type("ti:train --lr_sch");
        keys("Tab");
        waitFor("ti:train --lr_scheduler");
        type("cosine_w");
        keys("Tab");
        waitFor("--lr_scheduler cosine_with_restarts");
        clearLine();

        type("ti:train --model neologism-d");
        keys("Tab");
        waitFor("--model neologism-demo-tiny-sd1");
        clearLine();

        type("ti:remove ");
        keys("Tab");
        waitFor("ti:remove '<neologism-toy>'");
        clearLine();

        type("ti:inspect " + root + "/embed");
        keys("Tab");
        waitFor("ti:inspect " + root + "/embeddings/");
        clearLine();

        type("help");
        keys("Enter");
        screen = waitFor("ti:tensor-check");
        assertTrue(screen.matches("(?s).*ti:train\\s+Learn a trigger's embedding.*"), screen);
        assertTrue(screen.matches("(?s).*ti:demo\\s+Train a demo embedding.*"), screen);
    }

    @Test
    @Order(2)
    void theHistoryIsKeptInTheRootFolderAndRecalledAfterARestart() throws Exception {
        open();
        waitFor("g! ");
        type("echo remembered-line");
        keys("Enter");
        waitFor("\nremembered-line");
        keys("C-d");
        waitFor("EXIT=");
        Path history = root.resolve(".neologism_history");
        assertTrue(Files.readString(history).contains("echo remembered-line"), Files.readString(history));
        tmux("kill-session", "-t", session);

        open();
        waitFor("g! ");
        keys("Up");
        waitFor("g! echo remembered-line");
        clearLine();
        keys("C-r");
        type("rememb");
        waitFor("echo remembered-line");
        keys("C-g");
        assertTrue(!Files.exists(home.resolve(".gogo.history")), "Gogo's own history file in the home folder");
    }

    private void open() throws Exception {
        session = "neologism-shell-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String shell = "env -u NEOLOGISM_ROOT -u INVOKEAI_ROOT HOME='" + home + "' "
                + Distribution.HOME.resolve("bin/neologism").toAbsolutePath() + " -Dneologism.root=" + root
                + "; echo EXIT=$?; sleep 600";
        tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", shell);
    }

    private void clearLine() throws Exception {
        keys("C-e", "C-u");
    }

    private void keys(String... keys) throws Exception {
        for (String key : keys) {
            tmux("send-keys", "-t", session, key);
            Thread.sleep(150);
        }
    }

    private void type(String text) throws Exception {
        tmux("send-keys", "-t", session, "-l", text);
        Thread.sleep(200);
    }

    private String waitFor(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = tmux("capture-pane", "-p", "-J", "-t", session);
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + text + "' did not appear within 60 s; the terminal shows:\n" + screen);
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }
}

package org.neologism.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/**
 * {@code neologism}: starts Felix with the distribution's bundles, then either the interactive Gogo
 * shell or the {@code --run} commands.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        // Gogo swaps System.out per thread; writing to the file descriptor avoids a session that
        // prints into itself.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("neologism: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            out.print(LaunchOptions.USAGE);
            return;
        }
        System.exit(run(options, out, err));
    }

    static int run(LaunchOptions options, PrintStream out, PrintStream err) throws Exception {
        options.properties().forEach(System::setProperty);
        Map<String, String> properties = new HashMap<>(options.properties());
        List<Path> bundleFolders = new ArrayList<>(List.of(folder("bundle")));
        String shell = EmbeddedFramework.SHELL_BUNDLE;
        if (!options.interactive()) {
            // The shell bundle must not read the terminal while --run commands execute.
            properties.put("gosh.args", "--nointeractive");
        } else {
            // Gogo's JLine shell, set up by etc/gosh_profile (history in the root folder, completion);
            // --nohistory keeps it from opening ~/.gogo.history first.
            bundleFolders.add(folder("shell"));
            shell = EmbeddedFramework.JLINE_SHELL_BUNDLE;
            properties.putIfAbsent("gosh.args", "--nohistory");
            properties.putIfAbsent("gosh.home", System.getProperty("neologism.home"));
        }
        try (EmbeddedFramework felix = EmbeddedFramework.start(bundleFolders, shell, properties, err)) {
            if (options.interactive()) {
                felix.awaitStop();
                return 0;
            }
            BundleContext context = felix.framework().getBundleContext();
            return new CommandScript(context, out, err).run(StartedJobs.thenAwait(context, options.commands()));
        }
    }

    private static Path folder(String name) {
        String home = System.getProperty("neologism.home");
        if (home == null) {
            throw new IllegalStateException("neologism.home is not set: start Neologism with bin/neologism");
        }
        return Path.of(home, name);
    }
}

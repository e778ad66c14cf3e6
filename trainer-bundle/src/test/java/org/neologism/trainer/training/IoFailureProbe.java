package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run by the I/O tests in a process of its own, as a user without root's rights: locks the output folder
 * given as its argument, as a run's first write does, and prints what the user would read.
 */
public final class IoFailureProbe {

    private IoFailureProbe() {}

    public static void main(String[] args) {
        Path output = Path.of(args[0]);
        try (OutputFolder folder = OutputFolder.lock(output, "training <probe>", line -> {})) {
            System.out.println("LOCKED " + folder.path());
        } catch (IOException failure) {
            System.out.println("FAILED " + new IoFailure(Map.of(output, "--output_dir")).describe(failure, output));
        }
    }
}

package org.neologism.trainer.training;

import java.nio.file.Path;

/**
 * A second process for the lock tests: locks the output folder given as its argument, says so on
 * standard output, and holds it until it is killed.
 */
public final class OutputFolderHolder {

    private OutputFolderHolder() {}

    public static void main(String[] args) throws Exception {
        OutputFolder folder = OutputFolder.lock(Path.of(args[0]), "training <held> on the test model", line -> {});
        System.out.println("locked " + folder.path());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per output folder: the lock against a real second process, and a new run on old files. */
class OutputFolderTest {

    @TempDir
    Path temp;

    @Test
    void aSecondRunIsRefusedNamingTheHolderAndTakesOverWhenTheHolderIsKilled() throws Exception {
        Path output = temp.resolve("out");
        Process holder = SecondJvm.start(OutputFolderHolder.class, output.toString());
        try {
            SecondJvm.awaitLine(holder, "locked ");
            FolderLock.FolderInUseException refused = assertThrows(FolderLock.FolderInUseException.class,
                    () -> OutputFolder.lock(output, "training <second>", line -> {}));
            assertTrue(refused.getMessage().startsWith("The output folder " + output + " is in use by another training"
                    + " run (pid " + holder.pid() + ", since "), refused.getMessage());
            assertTrue(refused.getMessage().contains(": training <held> on the test model")
                    && refused.getMessage().endsWith("Wait for that run to end (or stop it), or pass another --output_dir."),
                    refused.getMessage());
        } finally {
            holder.destroyForcibly(); // SIGKILL: the holder cannot release anything
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        List<String> notices = new ArrayList<>();
        try (OutputFolder taken = OutputFolder.lock(output, "training <second>", notices::add)) {
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).startsWith("Took over the output folder " + output + " from a run that ended"
                    + " without releasing it (pid " + holder.pid()), notices.get(0));
        }
        List<String> again = new ArrayList<>();
        try (OutputFolder released = OutputFolder.lock(output, "training <third>", again::add)) {
            assertEquals(List.of(), again, "a lock released normally leaves nothing to take over");
        }
    }

    @Test
    void twoRunsInOneProcessExcludeEachOther() throws IOException {
        Path output = temp.resolve("out");
        try (OutputFolder first = OutputFolder.lock(output, "training <first>", line -> {})) {
            FolderLock.FolderInUseException refused = assertThrows(FolderLock.FolderInUseException.class,
                    () -> OutputFolder.lock(output, "training <second>", line -> {}));
            assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid() + ", since ")
                    && refused.getMessage().contains("training <first>"), refused.getMessage());
        }
    }

    @Test
    void aNewRunOnAnotherRunsFilesIsRefusedAndOverwriteMovesThemAsideWhole() throws IOException {
        Path output = Files.createDirectories(temp.resolve("run"));
        Files.createDirectories(output.resolve("checkpoint-12"));
        Files.writeString(output.resolve("checkpoint-12/trainer_state.json"), "{}");
        Files.writeString(output.resolve("loss.csv"), "step,loss,lr,seconds\n");
        Files.writeString(output.resolve("learned_embeds.bin"), "old result");
        try (OutputFolder folder = OutputFolder.lock(output, "training <cat>", line -> {})) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> folder.prepareForNewRun(false, line -> {}));
            assertEquals("The output folder " + output + " holds another run's files (checkpoint-12/, learned_embeds.bin,"
                    + " loss.csv). Continue that run with --resume_from_checkpoint latest, move its files aside with"
                    + " --overwrite_output_dir (into run.old-<time>, nothing is deleted), or pass another --output_dir.",
                    refused.getMessage());
            assertTrue(Files.exists(output.resolve("learned_embeds.bin")), "a refusal touches nothing");

            List<String> notices = new ArrayList<>();
            folder.prepareForNewRun(true, notices::add);
            List<Path> siblings;
            try (Stream<Path> list = Files.list(temp)) {
                siblings = list.filter(path -> path.getFileName().toString().startsWith("run.old-")).toList();
            }
            assertEquals(1, siblings.size());
            Path aside = siblings.get(0);
            assertEquals("old result", Files.readString(aside.resolve("learned_embeds.bin")));
            assertEquals("{}", Files.readString(aside.resolve("checkpoint-12/trainer_state.json")));
            assertTrue(Files.exists(aside.resolve("loss.csv")));
            try (Stream<Path> left = Files.list(output)) {
                assertEquals(List.of(OutputFolder.LOCK_FILE), left.map(path -> path.getFileName().toString()).toList());
            }
            assertEquals(List.of("--overwrite_output_dir: moved the previous run's files (checkpoint-12/,"
                    + " learned_embeds.bin, loss.csv) to " + aside), notices);
        }
    }

    @Test
    void anEmptyFolderOrOneWithOnlyLogsTakesANewRun() throws IOException {
        Path output = temp.resolve("fresh");
        try (OutputFolder folder = OutputFolder.lock(output, "training <cat>", line -> {})) {
            folder.prepareForNewRun(false, line -> {});
            Files.createDirectories(output.resolve("logs"));
            folder.prepareForNewRun(false, line -> {});
            assertFalse(Files.exists(temp.resolve("fresh.old")));
        }
    }
}

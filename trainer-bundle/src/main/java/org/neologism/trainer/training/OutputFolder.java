package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The output folder of a run, kept to one run: the run holds it locked while it writes, and a new run
 * does not start on top of another run's files (whose checkpoints a later resume would continue). Old
 * outputs are moved aside when asked, never deleted.
 */
public final class OutputFolder implements AutoCloseable {

    /** Hidden, so listings, InvokeAI and the fresh-run check pass over it. */
    static final String LOCK_FILE = ".neologism-run.lock";
    static final String LOGS_FOLDER = "logs";
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final Path folder;
    private final FolderLock lock;

    private OutputFolder(Path folder, FolderLock lock) {
        this.folder = folder;
        this.lock = lock;
    }

    /**
     * Locks {@code folder} (creating it) for the run described by {@code run}; a lock left by a killed
     * run is taken over, and {@code notice} says so.
     *
     * @throws FolderLock.FolderInUseException naming the run that holds it
     */
    public static OutputFolder lock(Path folder, String run, Consumer<String> notice) throws IOException {
        Files.createDirectories(folder); // a file in its place fails here, naming the folder rather than the lock
        FolderLock lock = FolderLock.acquire(folder.resolve(LOCK_FILE), run,
                "The output folder " + folder + " is in use by another training run",
                "Wait for that run to end (or stop it), or pass another --output_dir.");
        lock.takenOverFrom().ifPresent(holder -> notice.accept("Took over the output folder " + folder
                + " from a run that ended without releasing it (" + holder.describe() + ")."));
        return new OutputFolder(folder, lock);
    }

    public Path path() {
        return folder;
    }

    /**
     * Makes the folder ready for a run that starts at step 0: an empty folder is used as it is; another
     * run's files are moved into {@code <folder>.old-<time>} with {@code --overwrite_output_dir}, and
     * refused otherwise.
     */
    public void prepareForNewRun(boolean overwrite, Consumer<String> notice) throws IOException {
        List<Path> previous = visibleEntries();
        // logs/ alone is what a run that failed before training leaves; its log just goes on
        if (previous.stream().allMatch(entry -> entry.getFileName().toString().equals(LOGS_FOLDER))) {
            return;
        }
        if (!overwrite) {
            throw new IllegalArgumentException("The output folder " + folder + " holds another run's files ("
                    + names(previous) + "). Continue that run with --resume_from_checkpoint latest, move its files"
                    + " aside with --overwrite_output_dir (into " + folder.getFileName() + ".old-<time>, nothing is"
                    + " deleted), or pass another --output_dir.");
        }
        String moved = names(previous);
        Path aside = asideFolder();
        Files.createDirectory(aside);
        for (Path entry : previous) {
            Files.move(entry, aside.resolve(entry.getFileName()));
        }
        notice.accept("--overwrite_output_dir: moved the previous run's files (" + moved + ") to " + aside);
    }

    private List<Path> visibleEntries() throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    private Path asideFolder() {
        String stamp = LocalDateTime.now().format(ASIDE_STAMP);
        Path aside = folder.resolveSibling(folder.getFileName() + ".old-" + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = folder.resolveSibling(folder.getFileName() + ".old-" + stamp + "-" + n);
        }
        return aside;
    }

    private static String names(List<Path> entries) {
        String shown = entries.stream().limit(4).map(entry -> entry.getFileName() + (Files.isDirectory(entry) ? "/" : ""))
                .collect(Collectors.joining(", "));
        return entries.size() > 4 ? shown + " and " + (entries.size() - 4) + " more" : shown;
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}

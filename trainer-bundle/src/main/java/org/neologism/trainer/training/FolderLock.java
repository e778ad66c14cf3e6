package org.neologism.trainer.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * An exclusive hold on a folder for as long as a run writes into it: an operating-system lock on a hidden
 * lock file ({@link FileChannel#tryLock}), plus a JSON record of the holder in that file so that a refused
 * run can say who holds it. The kernel drops the lock of a killed process, so its stale record is simply
 * taken over; where the file system has no locks, a record whose process is gone is taken over too.
 *
 * <p>The lock file is never deleted: a run waiting on the old file while another creates a new one would
 * let both in. Releasing empties the record instead.
 */
public final class FolderLock implements AutoCloseable {

    /** Who holds a lock: what {@code ti:status} or {@code ps} would show of it. */
    public record Holder(long pid, String since, String run, String process) {

        String describe() {
            return "pid " + pid + ", since " + since + ": " + run + (process.isBlank() ? "" : " (" + process + ")");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PROCESS_TEXT = 240;

    private final FileChannel channel;
    private final FileLock lock;
    private final Optional<Holder> takenOverFrom;

    private FolderLock(FileChannel channel, FileLock lock, Optional<Holder> takenOverFrom) {
        this.channel = channel;
        this.lock = lock;
        this.takenOverFrom = takenOverFrom;
    }

    /**
     * Takes the lock file {@code lockFile} (its folder is created), or refuses.
     *
     * @param run     what the holder does, for another run's refusal ("training <cat-toy> into /out")
     * @param refusal the start of the refusal, e.g. "The output folder /out is in use by another run"
     * @param fix     what the refused user can do, e.g. "Wait for it to end, or pass another --output_dir."
     * @throws FolderInUseException when another process (or another run of this one) holds it
     */
    public static FolderLock acquire(Path lockFile, String run, String refusal, String fix) throws IOException {
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            Optional<Holder> previous = read(channel);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                throw refused(read(channel), refusal, fix);
            } catch (IOException noLocksOnThisFileSystem) {
                // only the record can tell: a holder whose process still runs keeps the folder
                if (previous.isPresent() && alive(previous.get().pid())) {
                    throw refused(read(channel), refusal, fix);
                }
                write(channel, new Holder(ProcessHandle.current().pid(), Instant.now().toString(), run, processText()));
                return new FolderLock(channel, null, previous);
            }
            if (lock == null) {
                throw refused(read(channel), refusal, fix);
            }
            write(channel, new Holder(ProcessHandle.current().pid(), Instant.now().toString(), run, processText()));
            return new FolderLock(channel, lock, previous);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The holder whose lock was taken over because its process had ended (a killed run), if any. An
     * empty record, left by a run that ended normally, is not reported.
     */
    public Optional<Holder> takenOverFrom() {
        return takenOverFrom;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            channel.force(true);
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
            } finally {
                channel.close();
            }
        }
    }

    private static FolderInUseException refused(Optional<Holder> holder, String refusal, String fix) {
        String who = holder.map(h -> " (" + h.describe() + ")").orElse(" (it has not written its record yet)");
        return new FolderInUseException(refusal + who + ". " + fix);
    }

    private static boolean alive(long pid) {
        return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Optional<Holder> read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || size > 1 << 16) {
            return Optional.empty();
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) size);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
            // read the whole record
        }
        try {
            return Optional.of(JSON.readValue(bytes.array(), 0, bytes.position(), Holder.class));
        } catch (IOException unreadableRecord) {
            // a record cut short by a kill while it was written: nobody to name
            return Optional.empty();
        }
    }

    private static void write(FileChannel channel, Holder holder) throws IOException {
        byte[] record = JSON.writeValueAsBytes(holder);
        channel.truncate(0);
        ByteBuffer buffer = ByteBuffer.wrap(record);
        while (buffer.hasRemaining()) {
            channel.write(buffer, buffer.position());
        }
        channel.force(true);
    }

    private static String processText() {
        String command = ProcessHandle.current().info().commandLine().orElse("");
        return command.length() <= MAX_PROCESS_TEXT ? command : command.substring(0, MAX_PROCESS_TEXT) + "...";
    }

    /** Another run holds the folder; the message names it and what to do. */
    public static final class FolderInUseException extends IOException {

        private static final long serialVersionUID = 1L;

        FolderInUseException(String message) {
            super(message);
        }
    }
}

package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An input or output failure as one sentence a user can act on: the path, the cause in words, and the
 * flag or action that fixes it. Java reports some failures with only the path ({@code AccessDeniedException})
 * and others with only the cause ("No space left on device"); the run knows which folder it was
 * writing, so it supplies the path where the exception has none.
 */
public final class IoFailure {

    private final Map<Path, String> folderFlags;

    /**
     * @param folderFlags the run's folders and the flag that chooses each ({@code outputDir → --output_dir}),
     *                    most specific first: a path is blamed on the first folder it lies in
     */
    public IoFailure(Map<Path, String> folderFlags) {
        this.folderFlags = folderFlags;
    }

    /**
     * The failure in words.
     *
     * @param where the folder being written when the exception names no file
     */
    public String describe(IOException failure, Path where) {
        String path = failure instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : where.toString();
        String reason = failure instanceof FileSystemException fs ? fs.getReason() : failure.getMessage();
        String cause = causeInWords(failure, Objects.requireNonNullElse(reason, ""));
        String flag = flagFor(Path.of(path));
        return path + ": " + cause + ". " + fix(failure, cause, flag);
    }

    /** Whether a failure is one of the file-system kinds this class describes (rather than our own message). */
    public static boolean isFileSystemFailure(IOException failure) {
        if (failure instanceof FileSystemException fs) {
            return fs.getReason() == null || knownReason(fs.getReason());
        }
        return failure.getMessage() != null && knownReason(failure.getMessage());
    }

    private static boolean knownReason(String reason) {
        String lower = reason.toLowerCase(Locale.ROOT);
        return lower.contains("no space left") || lower.contains("read-only file system") || lower.contains("not a directory")
                || lower.contains("permission denied") || lower.contains("disk quota") || lower.contains("input/output error");
    }

    private static String causeInWords(IOException failure, String reason) {
        String lower = reason.toLowerCase(Locale.ROOT);
        if (failure instanceof AccessDeniedException || lower.contains("permission denied")) {
            return "permission denied (this user may not write there)";
        }
        if (failure instanceof NotDirectoryException || lower.contains("not a directory")) {
            return "a file is in the way where a folder is needed";
        }
        if (failure instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        if (failure instanceof NoSuchFileException) {
            return "it does not exist";
        }
        if (lower.contains("no space left") || lower.contains("disk quota")) {
            return "the disk is full (" + reason + ")";
        }
        if (lower.contains("read-only file system")) {
            return "the file system is read-only";
        }
        return reason.isBlank() ? failure.getClass().getSimpleName() : reason;
    }

    private static String fix(IOException failure, String cause, String flag) {
        String elsewhere = flag == null ? "" : ", or pass another " + flag;
        if (cause.startsWith("the disk is full")) {
            return "Free some space" + elsewhere + "; the files written so far are kept.";
        }
        if (cause.startsWith("a file is in the way") || cause.startsWith("a file of that name")) {
            return "Move that file away" + elsewhere + ".";
        }
        if (cause.startsWith("the file system is read-only")) {
            return "Choose a writable place" + (flag == null ? "" : " with " + flag) + ".";
        }
        if (cause.startsWith("permission denied")) {
            return "Give this user write permission there" + elsewhere + ".";
        }
        return flag == null ? "Check the path." : "Check the path" + elsewhere + ".";
    }

    private String flagFor(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        for (Map.Entry<Path, String> folder : folderFlags.entrySet()) {
            if (absolute.startsWith(folder.getKey().toAbsolutePath().normalize())) {
                return folder.getValue();
            }
        }
        return null;
    }
}

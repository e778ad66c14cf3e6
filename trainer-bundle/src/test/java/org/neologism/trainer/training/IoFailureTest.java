package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O failures as a user reads them: the path, the cause in words, and the flag that fixes it. */
class IoFailureTest {

    @TempDir
    Path temp;

    private IoFailure failures(Path output) {
        Map<Path, String> flags = new LinkedHashMap<>();
        flags.put(output, "--output_dir");
        flags.put(temp.resolve("root"), "--root");
        return new IoFailure(flags);
    }

    /**
     * Root may write anywhere, so the folder's real mode is tried by a second JVM running as {@code nobody}
     * when the tests run as root, and by this user otherwise.
     */
    @Test
    void anOutputFolderThisUserMayNotCreateIsNamedWithTheCauseAndTheFlag() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path locked = Files.createDirectories(temp.resolve("not-yours"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString(root ? "rwxr-xr-x" : "r-xr-xr-x"));
        Path output = locked.resolve("out");
        List<String> prefix = root ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") : List.of();
        Process probe = SecondJvm.start(prefix, readableClassPath(), IoFailureProbe.class, output.toString());
        String line = SecondJvm.awaitLine(probe, "FAILED ");
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals("FAILED " + output + ": permission denied (this user may not write there). Give this user write"
                + " permission there, or pass another --output_dir.", line);
    }

    @Test
    void aFileWhereTheLogsFolderGoesIsNamed() throws IOException {
        Path output = Files.createDirectories(temp.resolve("out"));
        Files.writeString(output.resolve("logs"), "not a folder");
        IOException failure = assertThrows(IOException.class, () -> Files.createDirectories(output.resolve("logs")));
        assertEquals(output.resolve("logs") + ": a file of that name is in the way. Move that file away, or pass another"
                + " --output_dir.", failures(output).describe(failure, output));
        IOException below = assertThrows(IOException.class,
                () -> Files.createDirectories(output.resolve("logs").resolve("deeper")));
        assertTrue(failures(output).describe(below, output).contains(": a file is in the way where a folder is needed."
                + " Move that file away, or pass another --output_dir."), failures(output).describe(below, output));
    }

    /** /dev/full fails every write with ENOSPC, whose Java exception names no file. */
    @Test
    void aFullDiskNamesTheFolderBeingWrittenAndKeepsWhatIsWritten() throws IOException {
        Path output = Files.createDirectories(temp.resolve("out"));
        IOException full = assertThrows(IOException.class, () -> Files.write(Path.of("/dev/full"), new byte[4096]));
        assertTrue(IoFailure.isFileSystemFailure(full), full.toString());
        assertEquals(output + ": the disk is full (" + full.getMessage() + "). Free some space, or pass another"
                + " --output_dir; the files written so far are kept.", failures(output).describe(full, output));
    }

    @Test
    void aReadOnlyFileSystemUnderTheRootNamesTheRootFlag() {
        Path output = temp.resolve("out");
        Path embeddings = temp.resolve("root/embeddings/probe");
        FileSystemException readOnly = new FileSystemException(embeddings.toString(), null, "Read-only file system");
        assertEquals(embeddings + ": the file system is read-only. Choose a writable place with --root.",
                failures(output).describe(readOnly, temp.resolve("root")));
    }

    @Test
    void ourOwnMessagesAreLeftAlone() {
        assertTrue(!IoFailure.isFileSystemFailure(new IOException("The training folder /x does not exist. Put ...")));
    }

    /**
     * This test's class path as the user {@code nobody} can read it: the compiled classes are readable, the
     * Jackson jars of the Maven repository (under root's home) are copied beside the test.
     */
    private String readableClassPath() throws IOException, URISyntaxException {
        Path jars = Files.createDirectories(temp.resolve("jars"));
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(OutputFolder.class, IoFailureProbe.class)) {
            entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        for (Class<?> type : List.of(ObjectMapper.class, JsonFactory.class, JsonProperty.class)) {
            Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path copy = jars.resolve(jar.getFileName());
            Files.copy(jar, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            entries.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}

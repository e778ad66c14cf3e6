package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Mutates the fixture files (whole files, and the pickles inside re-built archives so mutations reach
 * the unpickler) and reads each result: it must either read or fail with a
 * {@link MalformedTensorFileException} naming the file, never another exception, an error, or a hang.
 */
class TensorFileFuzzTest {

    private static final long SEED = 20260101L;
    private static final int WHOLE_FILE_MUTANTS = 1500;
    private static final int PICKLE_MUTANTS = 1500;
    /** Seeds are embedding files; a larger one would make thousands of mutants slow, not more hostile. */
    private static final int MAX_SEED_BYTES = 1 << 20;
    /** Only catches a hang: the mutant counts and seed sizes bound the work, a loaded machine may take its time. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(10);
    private static final int[] INTERESTING_INTS = {0, -1, 0x7fffffff, 0x80000000, 0x7ffffff0, 0xffff, 256};

    @TempDir
    Path diskDir;
    private Path dir;

    private record Seed(String name, byte[] bytes) {
    }

    private int read;
    private int refused;

    @Test
    void mutatedFilesAreReadOrRefusedWithAMessage() throws IOException {
        // thousands of small files: use memory-backed storage where there is some, the disk otherwise
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "neologism-fuzz") : diskDir;
        try {
            fuzz();
        } finally {
            if (dir != diskDir) {
                try (var leftovers = Files.list(dir)) {
                    for (Path file : leftovers.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(dir);
            }
        }
    }

    private void fuzz() throws IOException {
        List<Seed> files = new ArrayList<>();
        List<Seed> pickles = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path file : Fixtures.filesIn(variant.file("embeddings"))) {
                if (Files.size(file) > MAX_SEED_BYTES) {
                    continue;
                }
                String name = variant.name() + "_" + file.getFileName();
                byte[] bytes = Files.readAllBytes(file);
                files.add(new Seed(name, bytes));
                boolean zip = bytes.length > 4 && bytes[0] == 'P' && bytes[1] == 'K'; // a torch.save zip, not a legacy pickle
                if (!name.endsWith(".safetensors") && zip) {
                    pickles.add(new Seed(name, dataPkl(file)));
                }
            }
        }
        Random random = new Random(SEED);
        assertFalse(files.isEmpty() || pickles.isEmpty(), "no embedding files to mutate");
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < WHOLE_FILE_MUTANTS; i++) {
                Seed seed = files.get(random.nextInt(files.size()));
                byte[] mutant = mutate(seed.bytes, random);
                String extension = seed.name.substring(seed.name.lastIndexOf('.'));
                Path file = dir.resolve("mutant" + extension);
                Files.write(file, mutant);
                check(file, seed.name + " mutant " + i);
            }
            for (int i = 0; i < PICKLE_MUTANTS; i++) {
                Seed seed = pickles.get(random.nextInt(pickles.size()));
                Path file = PickleBytes.zip(dir.resolve("pickle_mutant.pt"), mutate(seed.bytes, random),
                        storagesOf(seed.name));
                check(file, seed.name + " pickle mutant " + i);
            }
        });
        assertTrue(refused > 100, "mutations should mostly break files, refused only " + refused);
        assertTrue(read > 0, "some mutations (e.g. in tensor data) should still read");
    }

    private void check(Path file, String what) {
        try {
            if (file.toString().endsWith(".safetensors")) {
                try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
                    for (SafetensorsEntry entry : safetensors.entries()) {
                        safetensors.readFloats(entry.name());
                    }
                }
            } else {
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    checkpoint.readAll();
                }
            }
            read++;
        } catch (MalformedTensorFileException e) {
            refused++;
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().length() > file.toString().length() + 10,
                    what + ": " + e.getMessage());
        } catch (IOException e) {
            fail(what + " threw an IOException that does not explain the file: " + e, e);
        } catch (RuntimeException | Error e) {
            fail(what + " threw " + e, e);
        }
    }

    /** Storages of every entry in the fixture with this name, so pickle mutants still find data. */
    private final Map<String, Map<String, byte[]>> storageCache = new LinkedHashMap<>();

    private Map<String, byte[]> storagesOf(String seedName) throws IOException {
        Map<String, byte[]> storages = storageCache.get(seedName);
        if (storages == null) {
            throw new IllegalStateException("no storages recorded for " + seedName);
        }
        return storages;
    }

    private byte[] dataPkl(Path file) throws IOException {
        String key = file.getParent().getParent().getFileName() + "_" + file.getFileName();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        byte[] pickle = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (name.endsWith("/data.pkl")) {
                    pickle = zip.getInputStream(entry).readAllBytes();
                } else if (name.contains("/data/")) {
                    storages.put(name.substring(name.lastIndexOf('/') + 1), zip.getInputStream(entry).readAllBytes());
                }
            }
        }
        assertFalse(pickle == null, file + " has no data.pkl");
        storageCache.put(key, storages);
        return pickle;
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(7)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256);
                case 1 -> bytes[at] = (byte) new int[] {0x00, 0xff, 0x7f, 0x80, '(', 'R', '.'}[random.nextInt(7)];
                case 2 -> bytes = Arrays.copyOf(bytes, at);
                case 3 -> {
                    byte[] inserted = new byte[1 + random.nextInt(8)];
                    random.nextBytes(inserted);
                    bytes = splice(bytes, at, 0, inserted);
                }
                case 4 -> bytes = splice(bytes, at, Math.min(bytes.length - at, 1 + random.nextInt(16)), new byte[0]);
                case 5 -> {
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(32));
                    bytes = splice(bytes, at, 0, Arrays.copyOfRange(bytes, at, at + length));
                }
                default -> {
                    int value = INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                    for (int k = 0; k < 4 && at + k < bytes.length; k++) {
                        bytes[at + k] = (byte) (value >>> (8 * k));
                    }
                }
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] result = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(insert, 0, result, at, insert.length);
        System.arraycopy(bytes, at + remove, result, at + insert.length, bytes.length - at - remove);
        return result;
    }
}


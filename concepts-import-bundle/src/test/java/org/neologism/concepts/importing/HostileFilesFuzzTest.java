package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/**
 * Thousands of corrupted variants of the fixture files go through the import path (content detection and
 * codecs). Each either reads as embeddings or fails with an {@link InvalidEmbeddingFileException} naming
 * the file — never another exception, a hang, or an out-of-memory error.
 */
class HostileFilesFuzzTest {

    /** Mutants in all, spread over the fixture files round-robin: the work does not grow with the fixture set. */
    private static final int MUTATIONS = 3_300;
    /** Seeds are embedding files; a larger one would make the mutants slow to read, not more hostile. */
    private static final long MAX_SEED_BYTES = 1 << 20;

    @TempDir
    Path temp;

    /** Only catches a hang: the mutant count and seed sizes bound the work, a loaded machine may take its time. */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void corruptedFixturesReadOrFailWithAMessageNamingTheFile() throws IOException {
        EmbeddingFormats formats = AllCodecs.formats();
        Random random = new Random(20260101L);
        int read = 0;
        int refused = 0;
        List<Path> sources = new ArrayList<>();
        for (EmbeddingFixture fixture : EmbeddingFixture.all()) {
            if (Files.size(fixture.file()) <= MAX_SEED_BYTES) {
                sources.add(fixture.file());
            }
        }
        assertTrue(!sources.isEmpty(), "no embedding files to mutate");
        List<byte[]> originals = new ArrayList<>();
        for (Path source : sources) {
            originals.add(Files.readAllBytes(source));
        }
        for (int i = 0; i < MUTATIONS; i++) {
            Path source = sources.get(i % sources.size());
            byte[] original = originals.get(i % sources.size());
            byte[] mutated = mutate(original, random);
            Path file = temp.resolve("m" + i + "-" + source.getFileName());
            Files.write(file, mutated);
            try {
                List<Embedding> embeddings = formats.read(file);
                assertTrue(!embeddings.isEmpty(), file.toString());
                read++;
            } catch (InvalidEmbeddingFileException e) {
                assertTrue(e.getMessage().contains(file.toString()), "message does not name the file: " + e.getMessage());
                refused++;
            } catch (Exception | StackOverflowError e) {
                Path kept = Files.copy(file, Path.of("target").resolve("fuzz-failure-" + source.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                fail("mutation " + i + " of " + source + " (kept as " + kept + ") threw " + e, e);
            }
            if (i % 4 == 0) {
                for (EmbeddingCodec codec : formats.codecs()) {
                    codec.recognises(file); // must answer, not throw, whatever the bytes
                }
            }
            Files.delete(file);
        }
        int total = MUTATIONS;
        System.out.println("fuzz: " + total + " mutated files, " + read + " read, " + refused + " refused with the file named");
        assertTrue(refused > total / 4 && read > total / 20, "mutations should both break and spare files: read "
                + read + ", refused " + refused);
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(7)) {
            case 0 -> { // flip a few bits
                for (int k = 0; k <= random.nextInt(4); k++) {
                    int at = random.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                return bytes;
            }
            case 1 -> { // set bytes to extreme values
                for (int k = 0; k <= random.nextInt(3); k++) {
                    bytes[random.nextInt(bytes.length)] = (byte) List.of(0, 0xff, 0x7f, 0x80).get(random.nextInt(4)).intValue();
                }
                return bytes;
            }
            case 2 -> { // truncate
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            case 3 -> { // delete a range
                int from = random.nextInt(bytes.length);
                int to = Math.min(bytes.length, from + 1 + random.nextInt(16));
                byte[] shorter = new byte[bytes.length - (to - from)];
                System.arraycopy(bytes, 0, shorter, 0, from);
                System.arraycopy(bytes, to, shorter, from, bytes.length - to);
                return shorter;
            }
            case 4 -> { // insert random bytes
                int at = random.nextInt(bytes.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(16)];
                random.nextBytes(inserted);
                byte[] longer = new byte[bytes.length + inserted.length];
                System.arraycopy(bytes, 0, longer, 0, at);
                System.arraycopy(inserted, 0, longer, at, inserted.length);
                System.arraycopy(bytes, at, longer, at + inserted.length, bytes.length - at);
                return longer;
            }
            case 5 -> { // overwrite a little-endian int somewhere with a huge or negative number
                int at = random.nextInt(Math.max(1, bytes.length - 4));
                int value = List.of(Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 1 << 30).get(random.nextInt(4));
                for (int k = 0; k < 4 && at + k < bytes.length; k++) {
                    bytes[at + k] = (byte) (value >>> (8 * k));
                }
                return bytes;
            }
            default -> { // duplicate a chunk in place of another
                int from = random.nextInt(bytes.length);
                int to = random.nextInt(bytes.length);
                int length = Math.min(1 + random.nextInt(32), Math.min(bytes.length - from, bytes.length - to));
                System.arraycopy(original, from, bytes, to, length);
                return bytes;
            }
        }
    }

    @Test
    void nothingButGarbageIsRefusedAsNoTensorFile() throws IOException {
        EmbeddingFormats formats = AllCodecs.formats();
        Random random = new Random(7);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[random.nextInt(300)];
            random.nextBytes(garbage);
            Path file = temp.resolve("garbage" + i + ".bin");
            Files.write(file, garbage);
            try {
                formats.read(file);
                fail(file + " of random bytes was read as an embedding");
            } catch (InvalidEmbeddingFileException e) {
                messages.add(e.getMessage());
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            }
        }
        assertTrue(messages.stream().anyMatch(m -> m.contains("too short") || m.contains("neither a safetensors")));
    }
}

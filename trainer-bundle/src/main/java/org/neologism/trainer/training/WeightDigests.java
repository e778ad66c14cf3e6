package org.neologism.trainer.training;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * SHA-256 digests of weight files, remembered by path, size and modification time in a cache file under
 * the root folder, so a model of several gigabytes is hashed once and not at every run. A file that
 * changed in size or time is hashed again; a cache that cannot be read or written costs only time.
 */
public final class WeightDigests {

    /** One remembered digest. */
    record Entry(long size, long modifiedMillis, String sha256) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cacheFile;

    public WeightDigests(Path cacheFile) {
        this.cacheFile = cacheFile;
    }

    /** The digest of {@code file}'s content, hex. */
    public synchronized String of(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        long size = Files.size(absolute);
        long modified = Files.getLastModifiedTime(absolute).toMillis();
        Map<String, Entry> cache = read();
        Entry known = cache.get(absolute.toString());
        if (known != null && known.size() == size && known.modifiedMillis() == modified) {
            return known.sha256();
        }
        String digest = sha256(absolute);
        cache.put(absolute.toString(), new Entry(size, modified, digest));
        write(cache);
        return digest;
    }

    private Map<String, Entry> read() {
        if (!Files.isRegularFile(cacheFile)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(JSON.readValue(cacheFile.toFile(), new TypeReference<Map<String, Entry>>() {}));
        } catch (IOException unreadable) {
            return new TreeMap<>();
        }
    }

    private void write(Map<String, Entry> cache) {
        try {
            Files.createDirectories(cacheFile.getParent());
            Path partial = cacheFile.resolveSibling("." + cacheFile.getFileName() + "." + UUID.randomUUID() + ".partial");
            JSON.writeValue(partial.toFile(), cache);
            try {
                Files.move(partial, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, cacheFile, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException notWritable) {
            // the digest is right either way; the next run hashes the file again
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

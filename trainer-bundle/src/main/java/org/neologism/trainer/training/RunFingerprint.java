package org.neologism.trainer.training;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fingerprints that tie a checkpoint to what it was trained on, so a resume with other images or
 * another model is refused rather than silently mixing runs.
 */
public final class RunFingerprint {

    private RunFingerprint() {}

    /**
     * SHA-256 over every file of the training folder (name and content, in name order) and the
     * preprocessing that shapes the pixels.
     */
    public static String ofDataset(Path dataDir, int resolution, boolean centerCrop) throws IOException {
        MessageDigest digest = sha256();
        digest.update(("resolution=" + resolution + ";center_crop=" + centerCrop + ";").getBytes());
        for (Path file : filesIn(dataDir)) {
            digest.update(dataDir.relativize(file).toString().getBytes());
            digest.update((byte) 0);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int read; (read = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, read);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Marks fingerprints over the weights' content; older checkpoints hold {@link #ofModelSizes} ones. */
    static final String CONTENT_PREFIX = "content:";

    /**
     * SHA-256 over a diffusers model folder's configuration files and the content of its weight files
     * (each file's digest comes from {@code digests}, which hashes a file once per size and modification
     * time), so another model of the same architecture and file sizes is told apart.
     */
    public static String ofModel(Path modelDir, WeightDigests digests) throws IOException {
        MessageDigest digest = sha256();
        for (Path file : filesIn(modelDir)) {
            String name = modelDir.relativize(file).toString();
            digest.update(name.getBytes());
            digest.update((byte) 0);
            if (name.endsWith(".json") || name.endsWith(".txt")) {
                digest.update(Files.readAllBytes(file));
            } else {
                digest.update(digests.of(file).getBytes());
            }
        }
        return CONTENT_PREFIX + HexFormat.of().formatHex(digest.digest());
    }

    /** Whether a checkpoint's model fingerprint matches this model, in the way the checkpoint computed it. */
    public static boolean sameModel(String checkpointFingerprint, Path modelDir, String contentFingerprint)
            throws IOException {
        return checkpointFingerprint.startsWith(CONTENT_PREFIX)
                ? checkpointFingerprint.equals(contentFingerprint)
                : checkpointFingerprint.equals(ofModelSizes(modelDir));
    }

    /**
     * The fingerprint of checkpoints written before the weights' content was hashed: the configuration
     * files and the names and sizes of the weight files.
     */
    static String ofModelSizes(Path modelDir) throws IOException {
        MessageDigest digest = sha256();
        for (Path file : filesIn(modelDir)) {
            String name = modelDir.relativize(file).toString();
            digest.update(name.getBytes());
            digest.update((byte) 0);
            if (name.endsWith(".json") || name.endsWith(".txt")) {
                digest.update(Files.readAllBytes(file));
            } else {
                digest.update(Long.toString(Files.size(file)).getBytes());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
    }
}

package org.neologism.core.tensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.neologism.core.tensors.internal.AtomicFileWrite;
import org.neologism.core.tensors.internal.StoredZipWriter;
import org.neologism.core.tensors.internal.TorchPickler;

/**
 * Writes a checkpoint that {@code torch.load} reads, in the zip format {@code torch.save} of torch 1.x
 * uses: stored entries aligned to 64 bytes, {@code <stem>/data.pkl} (pickle protocol 2),
 * {@code <stem>/data/<key>} per tensor and {@code <stem>/version} ({@code 3}). The file is written
 * atomically.
 *
 * <p>There is no {@code <stem>/byteorder} entry, which torch 2.x adds: AUTOMATIC1111's safe unpickler
 * allows only {@code data.pkl}, {@code version} and {@code data/N} in the archive and refuses the file
 * with "bad file inside ...", while torch 2.x reads an archive without it as little-endian, which
 * the storages are.
 *
 * <p>The object may contain {@link java.util.Map} (string or integer keys, insertion order kept),
 * {@link List}, {@link String}, {@link Integer}/{@link Long}, {@link Double}/{@link Float},
 * {@link Boolean}, {@code null} and {@link TensorData}:
 *
 * <pre>{@code
 * TorchCheckpointWriter.write(path, Map.of("<cat-toy>", TensorData.ofFloats(new int[] {768}, vector)));
 * }</pre>
 */
public final class TorchCheckpointWriter {

    private TorchCheckpointWriter() {
    }

    /** Saves {@code root} to {@code file}; the archive folder is the file name without its extension. */
    public static void write(Path file, Object root) throws IOException {
        TorchPickler pickler = new TorchPickler();
        byte[] pickle;
        try {
            pickle = pickler.pickle(root);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot save " + file + ": " + e.getMessage(), e);
        }
        List<TensorData> storages = pickler.storages();
        String folder = archiveFolder(file);
        AtomicFileWrite.write(file, channel -> {
            StoredZipWriter zip = new StoredZipWriter(channel);
            zip.add(folder + "/data.pkl", pickle);
            for (int key = 0; key < storages.size(); key++) {
                zip.add(folder + "/data/" + key, storages.get(key).bytes());
            }
            zip.add(folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    private static String archiveFolder(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.isEmpty() || stem.contains("/") ? "archive" : stem;
    }
}

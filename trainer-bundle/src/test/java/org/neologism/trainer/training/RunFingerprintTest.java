package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model fingerprint tells apart models whose files have the same names and sizes. */
class RunFingerprintTest {

    @TempDir
    Path temp;

    private Path model(String name, byte weightByte) throws IOException {
        Path model = Files.createDirectories(temp.resolve(name).resolve("unet"));
        Files.writeString(model.resolve("config.json"), "{\"sample_size\": 8}");
        byte[] weights = new byte[4096];
        java.util.Arrays.fill(weights, weightByte);
        Files.write(model.resolve("diffusion_pytorch_model.safetensors"), weights);
        return model.getParent();
    }

    @Test
    void anotherModelWithTheSameArchitectureAndSizesIsAnotherModel() throws IOException {
        WeightDigests digests = new WeightDigests(temp.resolve("root/cache/weight-digests.json"));
        Path first = model("first", (byte) 1);
        Path second = model("second", (byte) 2);
        String fingerprint = RunFingerprint.ofModel(first, digests);
        assertEquals(RunFingerprint.ofModelSizes(first), RunFingerprint.ofModelSizes(second),
                "the old fingerprint could not tell them apart");
        assertNotEquals(fingerprint, RunFingerprint.ofModel(second, digests));
        assertTrue(RunFingerprint.sameModel(fingerprint, first, RunFingerprint.ofModel(first, digests)));
        assertFalse(RunFingerprint.sameModel(fingerprint, second, RunFingerprint.ofModel(second, digests)));
        assertTrue(RunFingerprint.sameModel(RunFingerprint.ofModelSizes(first), first, RunFingerprint.ofModel(first, digests)),
                "a checkpoint of an older version is still checked its own way");
    }

    /** The digest is remembered by path, size and modification time: an unchanged file is not read again. */
    @Test
    void aDigestIsReusedUntilTheFileChangesInSizeOrTime() throws IOException {
        WeightDigests digests = new WeightDigests(temp.resolve("root/cache/weight-digests.json"));
        Path file = temp.resolve("weights.bin");
        Files.write(file, new byte[] {1, 2, 3, 4});
        FileTime time = Files.getLastModifiedTime(file);
        String digest = digests.of(file);
        assertEquals(WeightDigests.sha256(file), digest);
        assertTrue(Files.isRegularFile(temp.resolve("root/cache/weight-digests.json")));

        Files.write(file, new byte[] {9, 9, 9, 9});
        Files.setLastModifiedTime(file, time);
        assertEquals(digest, new WeightDigests(temp.resolve("root/cache/weight-digests.json")).of(file),
                "same size and time: the cached digest, so the file was not hashed again");

        Files.setLastModifiedTime(file, FileTime.fromMillis(time.toMillis() + 2000));
        assertEquals(WeightDigests.sha256(file), digests.of(file));
        assertNotEquals(digest, digests.of(file));
    }
}

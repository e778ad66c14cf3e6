package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/** Files built to hurt a naive reader are refused with a message that names the file and the problem. */
class HostileFilesTest {

    @TempDir
    Path temp;

    private final EmbeddingFormats formats = AllCodecs.formats();

    private Path torchZip(String name, byte[] pickle) throws IOException {
        Path file = temp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry entry = new ZipEntry("evil/data.pkl");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(pickle.length);
            CRC32 crc = new CRC32();
            crc.update(pickle);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(pickle);
            zip.closeEntry();
        }
        return file;
    }

    @Test
    void aPickleThatCallsOsSystemIsRefusedNamingTheGlobal() throws IOException {
        // PROTO 2, GLOBAL 'posix system', 'echo pwned', TUPLE1, REDUCE, STOP: what a malicious checkpoint does
        byte[] pickle = "\u0080\u0002cposix\nsystem\nX\n\u0000\u0000\u0000echo pwned\u0085R.".getBytes(StandardCharsets.ISO_8859_1);
        Path file = torchZip("learned_embeds.bin", pickle);
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(file));
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("posix") && error.getMessage().contains("system"), error.getMessage());
    }

    @Test
    void deeplyNestedListsAreRefusedWithoutExhaustingTheStack() throws IOException {
        int depth = 200_000;
        StringBuilder pickle = new StringBuilder("\u0080\u0002");
        pickle.append("]".repeat(depth)).append("a".repeat(depth - 1)).append('.');
        Path file = torchZip("deep.pt", pickle.toString().getBytes(StandardCharsets.ISO_8859_1));
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(file));
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
    }

    @Test
    void anEmbeddingFarLargerThanAnyRealOneIsRefusedBeforeItIsRead() throws IOException {
        // 20 M floats (80 MB) in a sparse file: a valid safetensors file that no embedding resembles
        long elements = 20_000_000L;
        String header = "{\"<huge>\":{\"dtype\":\"F32\",\"shape\":[" + elements + "],\"data_offsets\":[0," + elements * 4 + "]}}";
        Path file = temp.resolve("huge.safetensors");
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            byte[] length = new byte[8];
            for (int i = 0; i < 8; i++) {
                length[i] = (byte) ((long) json.length >>> (8 * i));
            }
            out.write(length);
            out.write(json);
            out.setLength(8 + json.length + elements * 4);
        }
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(file));
        assertTrue(error.getMessage().startsWith(file.toString()) && error.getMessage().contains("limit"), error.getMessage());
    }

    @Test
    void aMissingFileOrAFolderIsNamedWithTheFix() throws IOException {
        Path missing = temp.resolve("nowhere.bin");
        InvalidEmbeddingFileException gone = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(missing));
        assertTrue(gone.getMessage().equals(missing + ": does not exist; check the path"), gone.getMessage());
        InvalidEmbeddingFileException folder = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(temp));
        assertTrue(folder.getMessage().startsWith(temp.toString()), folder.getMessage());
    }

    @Test
    void aTensorFileInNoEmbeddingFormatSaysWhatItHolds() throws IOException {
        Path file = temp.resolve("weights.safetensors");
        new org.neologism.core.tensors.SafetensorsWriter()
                .addFloats("a", org.neologism.core.tensors.DType.F32, new int[] {2}, new float[] {1, 2})
                .addFloats("b", org.neologism.core.tensors.DType.F32, new int[] {2}, new float[] {1, 2})
                .write(file);
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(file));
        assertTrue(error.getMessage().contains("dict {a: F32[2], b: F32[2]}") && error.getMessage().contains("learned_embeds_bin"),
                error.getMessage());
    }

    @Test
    void anEmbeddingHoldingNaNIsRefused() throws IOException {
        Path file = temp.resolve("nan.safetensors");
        new org.neologism.core.tensors.SafetensorsWriter()
                .addFloats("<t>", org.neologism.core.tensors.DType.F32, new int[] {1, 2}, new float[] {1, Float.NaN})
                .write(file);
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class, () -> formats.read(file));
        assertTrue(error.getMessage().contains("NaN"), error.getMessage());
    }
}

package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** Checkpoints written to attack a loader: each is refused with a message, never run, never hangs. */
class TorchCheckpointHostileTest {

    /** Only catches a hang (an endless loop on a cycle, quadratic copying); the inputs bound the work, not a clock. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void aSmallCompressedPickleThatWouldInflateToHundredsOfMegabytesIsRefused() throws IOException {
        Path bomb = dir.resolve("bomb.bin");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("bomb/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertTrue(Files.size(bomb) < 1 << 20, "the bomb should be small on disk");
        MalformedTensorFileException error = assertThrows(MalformedTensorFileException.class, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(bomb)) {
                checkpoint.root();
            }
        });
        assertTrue(error.getMessage().startsWith(bomb.toString()) && error.getMessage().contains("is larger than"),
                error.getMessage());
    }

    /** The refusal names each global as Python 3 imports it, whatever the pickle's spelling. */
    @Test
    void globalsThatRunCodeAreRefusedByTheirPython3Name() throws IOException {
        Map<String, String> spelledAsPython3Names = new LinkedHashMap<>();
        spelledAsPython3Names.put("os\nsystem", "os.system");
        spelledAsPython3Names.put("posix\nsystem", "posix.system");
        spelledAsPython3Names.put("__builtin__\neval", "builtins.eval");
        spelledAsPython3Names.put("builtins\nexec", "builtins.exec");
        spelledAsPython3Names.put("exceptions\nException", "builtins.Exception");
        spelledAsPython3Names.put("commands\ngetoutput", "subprocess.getoutput");
        spelledAsPython3Names.put("subprocess\nPopen", "subprocess.Popen");
        spelledAsPython3Names.put("torch\nload", "torch.load");
        spelledAsPython3Names.put("torch.nn.modules.linear\nLinear", "torch.nn.modules.linear.Linear");
        for (Map.Entry<String, String> global : spelledAsPython3Names.entrySet()) {
            String[] parts = global.getKey().split("\n");
            byte[] pickle = PickleBytes.protocol2().global(parts[0], parts[1]).text("touch /tmp/pwned")
                    .op(0x85).op('R').stop().bytes();
            Path file = PickleBytes.zip(dir.resolve(parts[0] + "_" + parts[1] + ".pt"), pickle, Map.of());
            String message = assertRefused(file, "refused global " + global.getValue() + ":");
            String refusal = message.substring(message.indexOf("refused global"));
            assertFalse(refusal.contains("\n") || refusal.contains("__builtin__") || refusal.contains("?"), message);
        }
    }

    /** Protocol 0's INST names its class inline; it is checked like GLOBAL, never called. */
    @Test
    void anInstOpcodeIsCheckedLikeAGlobal() throws IOException {
        byte[] pickle = PickleBytes.protocol2().op('(').text("id").op('i')
                .raw("subprocess\nPopen\n".getBytes(StandardCharsets.US_ASCII)).stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("inst.pt"), pickle, Map.of()), "refused global subprocess.Popen:");
    }

    @Test
    void aStackGlobalIsCheckedLikeAGlobal() throws IOException {
        byte[] pickle = PickleBytes.protocol2().op(0x8c).raw((byte) 5).raw("posix".getBytes())
                .op(0x8c).raw((byte) 6).raw("system".getBytes()).op(0x93).text("id").op(0x85).op('R').stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("stack_global.pt"), pickle, Map.of()), "refused global posix.system");
    }

    @Test
    void theRefusalHappensInLegacyFilesToo() throws IOException {
        PickleBytes legacy = PickleBytes.protocol2().op(0x8a).raw((byte) 10)
                .raw(reversed(new java.math.BigInteger("1950a86a20f9469cfc6c", 16).toByteArray())).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('M').raw((byte) 0xe9, (byte) 0x03).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('}').stop();
        legacy.raw((byte) 0x80, (byte) 2).global("os", "system").text("id").op(0x85).op('R').stop();
        Path file = dir.resolve("legacy.bin");
        Files.write(file, legacy.bytes());
        assertRefused(file, "refused global os.system");
    }

    @Test
    void deepNestingIsReadWithoutRecursionAndRefusedWhenListingTensors() throws IOException {
        PickleBytes pickle = PickleBytes.protocol2();
        int depth = 200_000;
        for (int i = 0; i < depth; i++) {
            pickle.op(']');
        }
        for (int i = 1; i < depth; i++) {
            pickle.op('a');
        }
        Path file = PickleBytes.zip(dir.resolve("deep.pt"), pickle.stop().bytes(), Map.of());
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class,
                        checkpoint::tensors);
                assertTrue(refused.getMessage().contains("deeper than"), refused.getMessage());
            }
        });
        PickleBytes marks = PickleBytes.protocol2();
        for (int i = 0; i < depth; i++) {
            marks.op('(');
        }
        marks.op(')');
        for (int i = 0; i < depth; i++) {
            marks.op('t');
        }
        Path tuples = PickleBytes.zip(dir.resolve("deep_tuples.pt"), marks.stop().bytes(), Map.of());
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(tuples)) {
                assertThrows(MalformedTensorFileException.class, checkpoint::tensors);
            }
        });
    }

    @Test
    void aListContainingItselfIsListedOnce() throws IOException {
        byte[] pickle = PickleBytes.protocol2().op(']').op('q').raw((byte) 0).op('h').raw((byte) 0).op('a')
                .floatTensor("0", 2, 0, 2).op('a').stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("cycle.pt"), pickle, Map.of("0", new byte[8]));
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                assertEquals(List.of("1"), List.copyOf(checkpoint.tensors().keySet()));
            }
        });
    }

    @Test
    void truncatedPicklesAndFilesAreRefused() throws IOException {
        byte[] whole = PickleBytes.protocol2().op('}').text("<t>").floatTensor("0", 4, 0, 4).op('s').stop().bytes();
        for (int cut = 1; cut < whole.length - 1; cut += 7) {
            Path file = PickleBytes.zip(dir.resolve("cut" + cut + ".pt"), Arrays.copyOf(whole, cut), Map.of("0", new byte[16]));
            assertRefused(file, "");
        }
        Path shortStorage = PickleBytes.zip(dir.resolve("short_storage.pt"), whole, Map.of("0", new byte[10]));
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(shortStorage)) {
            MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class,
                    () -> checkpoint.readAll());
            assertTrue(refused.getMessage().contains("holds 10 bytes"), refused.getMessage());
        }
        Path missingStorage = PickleBytes.zip(dir.resolve("missing_storage.pt"), whole, Map.of());
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(missingStorage)) {
            MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class,
                    () -> checkpoint.readAll());
            assertTrue(refused.getMessage().contains("no entry"), refused.getMessage());
        }
        Path legacy = legacyFixture();
        byte[] legacyBytes = Files.readAllBytes(legacy);
        Path truncatedLegacy = dir.resolve("truncated_legacy.bin");
        Files.write(truncatedLegacy, Arrays.copyOf(legacyBytes, legacyBytes.length - 5));
        assertRefused(truncatedLegacy, "truncated");
    }

    @Test
    void declaredSizesLargerThanTheFileAreRefusedBeforeAllocating() throws IOException {
        byte[] hugeString = PickleBytes.protocol2().op('X').int32(0x7ffffff0).raw("abc".getBytes()).stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("huge_string.pt"), hugeString, Map.of()), "declared length");
        byte[] hugeBytes = PickleBytes.protocol2().op(0x8e).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0x40}).stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("huge_bytes.pt"), hugeBytes, Map.of()), "declared length");
        byte[] hugeLong = PickleBytes.protocol2().op(0x8b).int32(1 << 30).stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("huge_long.pt"), hugeLong, Map.of()), "declared length");

        byte[] hugeTensor = PickleBytes.protocol2().floatTensor("0", Integer.MAX_VALUE, 0, Integer.MAX_VALUE).stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("huge_tensor.pt"), hugeTensor, Map.of("0", new byte[16]));
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class, checkpoint::readAll);
            assertTrue(refused.getMessage().contains("too large") || refused.getMessage().contains("holds 16 bytes"),
                    refused.getMessage());
        }
        byte[] outside = PickleBytes.protocol2().floatTensor("0", 4, 3, 4).stop().bytes();
        assertRefused(PickleBytes.zip(dir.resolve("outside.pt"), outside, Map.of("0", new byte[16])), "reaches element 6");
    }

    @Test
    void copyingAContainerOverAndOverIsRefused() throws IOException {
        PickleBytes pickle = PickleBytes.protocol2().op(']').op('q').raw((byte) 0).op('(');
        for (int i = 0; i < 20_000; i++) {
            pickle.int1(i & 0xff);
        }
        pickle.op('e').op('0').op(']');
        pickle.global("__builtin__", "set").op('q').raw((byte) 1).op('0');
        for (int i = 0; i < 20_000; i++) {
            pickle.op('h').raw((byte) 1).op('h').raw((byte) 0).op(0x85).op('R').op('a');
        }
        Path file = PickleBytes.zip(dir.resolve("copies.pt"), pickle.stop().bytes(), Map.of());
        assertTimeoutPreemptively(HANG_GUARD, () -> assertRefused(file, "copies containers"));
    }

    @Test
    void malformedStructureGivesClearErrors() throws IOException {
        assertRefused(PickleBytes.zip(dir.resolve("ext.pt"), PickleBytes.protocol2().op(0x82).raw((byte) 1).stop().bytes(),
                Map.of()), "unsupported pickle opcode 0x82");
        assertRefused(PickleBytes.zip(dir.resolve("underflow.pt"), PickleBytes.protocol2().op('a').stop().bytes(),
                Map.of()), "stack underflow");
        assertRefused(PickleBytes.zip(dir.resolve("memo.pt"), PickleBytes.protocol2().op('h').raw((byte) 9).stop().bytes(),
                Map.of()), "memo key 9");
        assertRefused(PickleBytes.zip(dir.resolve("noncallable.pt"),
                PickleBytes.protocol2().text("x").op(')').op('R').stop().bytes(), Map.of()), "not callable");
        assertRefused(PickleBytes.zip(dir.resolve("module_pid.pt"),
                PickleBytes.protocol2().op('(').text("module").text("x").op('t').op('Q').stop().bytes(), Map.of()),
                "persistent id");
        assertRefused(PickleBytes.zip(dir.resolve("list_key.pt"),
                PickleBytes.protocol2().op('}').op(']').int1(1).op('s').stop().bytes(), Map.of()), "dict key");
        assertRefused(PickleBytes.zip(dir.resolve("proto9.pt"), new byte[] {(byte) 0x80, 9, 'N', '.'}, Map.of()),
                "protocol 9");
        assertRefused(PickleBytes.zip(dir.resolve("no_stop.pt"), PickleBytes.protocol2().op('N').bytes(), Map.of()),
                "truncated");
    }

    @Test
    void filesThatAreNotCheckpointsSayWhatTheyAreNot() throws IOException {
        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "hello");
        assertRefused(text, "neither a torch.save zip archive nor a legacy PyTorch checkpoint");
        Path zipWithoutPickle = dir.resolve("other.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(zipWithoutPickle))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write(1);
        }
        assertRefused(zipWithoutPickle, "without <folder>/data.pkl");
        Path wrongMagic = dir.resolve("plain_pickle.pkl");
        Files.write(wrongMagic, PickleBytes.protocol2().op('}').stop().bytes());
        assertRefused(wrongMagic, "magic number");
        Path empty = dir.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        assertRefused(empty, "neither");
    }

    private static String assertRefused(Path file, String expected) {
        MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                checkpoint.readAll();
            }
        });
        assertTrue(refused.getMessage().startsWith(file + ": "), refused.getMessage());
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        return refused.getMessage();
    }

    private static byte[] reversed(byte[] bigEndian) {
        byte[] little = new byte[bigEndian.length];
        for (int i = 0; i < bigEndian.length; i++) {
            little[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return little;
    }

    /** A legacy (non-zip) torch.save file from the fixtures, found by its format, not its name. */
    private static Path legacyFixture() throws IOException {
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (Path file : Fixtures.filesIn(variant.file("embeddings"))) {
                if (file.getFileName().toString().endsWith(".safetensors")) {
                    continue;
                }
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    if (checkpoint.format() == TorchCheckpoint.Format.LEGACY) {
                        return file;
                    }
                }
            }
        }
        throw new AssertionError("no legacy torch.save file among the fixtures' embeddings");
    }
}

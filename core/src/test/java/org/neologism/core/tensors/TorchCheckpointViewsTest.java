package org.neologism.core.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strided views, legacy storage views and the Python value model, on hand-written pickles. */
class TorchCheckpointViewsTest {

    @TempDir
    Path dir;

    private static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    @Test
    void aTransposedViewIsReadInRowMajorOrder() throws IOException {
        // storage 0..5 as a 2x3 matrix; the saved tensor is its transpose: shape (3, 2), stride (1, 3)
        PickleBytes pickle = PickleBytes.protocol2().global("torch._utils", "_rebuild_tensor_v2").op('(');
        pickle.op('(').text("storage").global("torch", "FloatStorage").text("0").text("cpu").int1(6).op('t').op('Q');
        pickle.int1(0).int1(3).int1(2).op(0x86).int1(1).int1(3).op(0x86).op(0x89);
        pickle.global("collections", "OrderedDict").op(')').op('R').op('t').op('R').stop();
        Path file = PickleBytes.zip(dir.resolve("transposed.pt"), pickle.bytes(), Map.of("0", floats(0, 1, 2, 3, 4, 5)));
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            PickledTensor tensor = checkpoint.tensors().get("");
            assertArrayEquals(new long[] {1, 3}, tensor.stride());
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, checkpoint.readFloats(tensor));
            assertArrayEquals(new int[] {3, 2}, checkpoint.read(tensor).shape());
        }
    }

    @Test
    void aBroadcastViewRepeatsItsElement() throws IOException {
        PickleBytes pickle = PickleBytes.protocol2().global("torch._utils", "_rebuild_tensor_v2").op('(');
        pickle.op('(').text("storage").global("torch", "LongStorage").text("0").text("cpu").int1(1).op('t').op('Q');
        pickle.int1(0).int1(4).op(0x85).int1(0).op(0x85).op(0x89);
        pickle.global("collections", "OrderedDict").op(')').op('R').op('t').op('R').stop();
        byte[] seven = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array();
        Path file = PickleBytes.zip(dir.resolve("expanded.pt"), pickle.bytes(), Map.of("0", seven));
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            assertArrayEquals(new long[] {7, 7, 7, 7}, checkpoint.readLongs(checkpoint.tensors().get("")));
        }
    }

    @Test
    void aLegacyStorageViewShiftsTheTensor() throws IOException {
        PickleBytes legacy = PickleBytes.protocol2().op(0x8a).raw((byte) 10)
                .raw(littleEndian(new BigInteger("1950a86a20f9469cfc6c", 16))).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('M').raw((byte) 0xe9, (byte) 0x03).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('}').text("little_endian").op(0x88).op('s').stop();
        // {'v': _rebuild_tensor_v2(('storage', FloatStorage, 'root', 'cpu', 6, ('view', 2, 3)), 1, (2,), (1,), False, OrderedDict())}
        legacy.raw((byte) 0x80, (byte) 2).op('}').text("v").global("torch._utils", "_rebuild_tensor_v2").op('(');
        legacy.op('(').text("storage").global("torch", "FloatStorage").text("root").text("cpu").int1(6)
                .text("view").int1(2).int1(3).op(0x87).op('t').op('Q');
        legacy.int1(1).int1(2).op(0x85).int1(1).op(0x85).op(0x89);
        legacy.global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s').stop();
        legacy.raw((byte) 0x80, (byte) 2).op(']').text("root").op('a').stop();
        legacy.raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(6).array());
        legacy.raw(floats(10, 11, 12, 13, 14, 15));
        Path file = dir.resolve("legacy_view.bin");
        Files.write(file, legacy.bytes());
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            assertEquals(TorchCheckpoint.Format.LEGACY, checkpoint.format());
            PickledTensor tensor = checkpoint.tensors().get("v");
            assertEquals(3, tensor.storageOffset(), "view offset 2 plus tensor offset 1");
            assertArrayEquals(new float[] {13, 14}, checkpoint.readFloats(tensor));
        }
    }

    /**
     * The original textual-inversion layout saved with {@code _use_new_zipfile_serialization=False}:
     * torch writes the {@code nn.ParameterDict} class as a {@code ('module', class, file, source)}
     * persistent id, which loads as the class; the source text is never run.
     */
    @Test
    void aLegacyParameterDictWithItsModuleSourceLoads() throws IOException {
        Path file = dir.resolve("legacy_parameterdict.bin");
        Files.write(file, legacyModuleFile(PickleBytes.protocol2().global("torch.nn.modules.container", "ParameterDict"))
                .bytes());
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            assertEquals(TorchCheckpoint.Format.LEGACY, checkpoint.format());
            assertEquals(List.of("string_to_param/*"), List.copyOf(checkpoint.tensors().keySet()));
            assertArrayEquals(new float[] {1, 2, 3}, checkpoint.readFloats(checkpoint.tensors().get("string_to_param/*")));
        }
    }

    /** A module class outside the allowlist is refused by its name, source or not. */
    @Test
    void aLegacyModuleSourceOfAnotherClassIsRefusedByName() throws IOException {
        Path file = dir.resolve("legacy_linear.bin");
        Files.write(file, legacyModuleFile(PickleBytes.protocol2().global("torch.nn.modules.linear", "Linear")).bytes());
        MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class, () -> {
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                checkpoint.readAll();
            }
        });
        assertTrue(refused.getMessage().contains("refused global torch.nn.modules.linear.Linear"), refused.getMessage());
    }

    /**
     * {@code {'string_to_param': <module class>.__new__() with _parameters {'*': Parameter([1, 2, 3])}}},
     * the class given as the legacy module persistent id; {@code moduleClass} holds a pickle whose first
     * bytes are the protocol header, followed by the class.
     */
    private static PickleBytes legacyModuleFile(PickleBytes moduleClass) {
        PickleBytes legacy = PickleBytes.protocol2().op(0x8a).raw((byte) 10)
                .raw(littleEndian(new BigInteger("1950a86a20f9469cfc6c", 16))).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('M').raw((byte) 0xe9, (byte) 0x03).stop();
        legacy.raw((byte) 0x80, (byte) 2).op('}').text("little_endian").op(0x88).op('s').stop();
        byte[] classPickle = moduleClass.bytes();
        legacy.raw((byte) 0x80, (byte) 2).op('}').text("string_to_param");
        legacy.op('(').text("module").raw(Arrays.copyOfRange(classPickle, 2, classPickle.length))
                .text("/usr/lib/python3/site-packages/torch/nn/modules/container.py")
                .text("class ParameterDict(Module):\n    import os; os.system('touch /tmp/pwned')\n").op('t').op('Q');
        legacy.op(')').op(0x81);
        legacy.op('}').text("training").op(0x88).op('s').text("_parameters")
                .global("collections", "OrderedDict").op(')').op('R')
                .text("*").global("torch._utils", "_rebuild_parameter").op('(').floatTensor("0", 3, 0, 3)
                .op(0x88).global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s')
                .op('s').op('b');
        legacy.op('s').stop();
        legacy.raw((byte) 0x80, (byte) 2).op(']').text("0").op('a').stop();
        legacy.raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(3).array());
        legacy.raw(floats(1, 2, 3));
        return legacy;
    }

    @Test
    void pythonValuesMapToPlainJavaValues() throws IOException {
        PickleBytes pickle = PickleBytes.protocol2().op(0x95).raw(new byte[8]) // FRAME
                .op('}').op(0x94) // dict, MEMOIZE -> 0
                .op('(');
        pickle.op(0x8c).raw((byte) 5).raw("tuple".getBytes()).op('(').int1(1).text("two").op('N').op('t');
        pickle.text("ints").op('(').raw("I42\n".getBytes()).raw("L-12345678901234567890L\n".getBytes())
                .op(0x8a).raw((byte) 2).raw((byte) 0xff, (byte) 0x7f).op('l');
        pickle.text("float").raw("F0.25\n".getBytes());
        pickle.text("binfloat").op('G').raw(new byte[] {0x3f, (byte) 0xf8, 0, 0, 0, 0, 0, 0});
        pickle.text("flags").op('(').raw("I01\n".getBytes()).raw("I00\n".getBytes()).op(0x88).op('l');
        pickle.text("set").op(0x8f).op('(').int1(3).int1(3).int1(4).op(0x90);
        pickle.text("frozen").op('(').text("a").op(0x91);
        pickle.text("bytes").op('C').raw((byte) 2).raw((byte) 1, (byte) 2);
        pickle.text("latin1").global("_codecs", "encode").text("\u00ff").text("latin1").op(0x86).op('R');
        pickle.text("ordered").global("collections", "OrderedDict").op(')').op(0x81).op('(').text("b").int1(2).text("a")
                .int1(1).op('u');
        pickle.text("size").global("torch", "Size").int1(2).int1(3).op(0x86).op(0x85).op('R');
        pickle.text("memo").text("memo").raw("p7\n".getBytes()).op('0').raw("g7\n".getBytes());
        pickle.op('u').stop();
        Path file = PickleBytes.zip(dir.resolve("values.pt"), pickle.bytes(), Map.of());
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            Map<?, ?> root = assertInstanceOf(Map.class, checkpoint.root());
            assertEquals(java.util.Arrays.asList(1L, "two", null), root.get("tuple"));
            assertEquals(List.of(42L, new BigInteger("-12345678901234567890"), 32767L), root.get("ints"));
            assertEquals(0.25, root.get("float"));
            assertEquals(1.5, root.get("binfloat"));
            assertEquals(List.of(true, false, true), root.get("flags"));
            assertEquals(Set.of(3L, 4L), root.get("set"));
            assertEquals(Set.of("a"), root.get("frozen"));
            assertArrayEquals(new byte[] {1, 2}, (byte[]) root.get("bytes"));
            assertArrayEquals(new byte[] {(byte) 0xff}, (byte[]) root.get("latin1"));
            assertEquals(List.of("b", "a"), List.copyOf(((Map<?, ?>) root.get("ordered")).keySet()));
            assertEquals(List.of(2L, 3L), root.get("size"));
            assertEquals("memo", root.get("memo"));
            assertTrue(checkpoint.tensors().isEmpty());
            assertNull(root.get("absent"));
        }
    }

    @Test
    void aTupleCannotBeAppendedTo() throws IOException {
        byte[] pickle = PickleBytes.protocol2().op(')').int1(1).op('a').stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("tuple_append.pt"), pickle, Map.of());
        MalformedTensorFileException refused = assertThrows(MalformedTensorFileException.class, () -> TorchCheckpoint.open(file));
        assertTrue(refused.getMessage().contains("APPEND to a tuple"), refused.getMessage());
    }

    private static byte[] littleEndian(BigInteger value) {
        byte[] big = value.toByteArray();
        byte[] little = new byte[big.length];
        for (int i = 0; i < big.length; i++) {
            little[i] = big[big.length - 1 - i];
        }
        return little;
    }
}

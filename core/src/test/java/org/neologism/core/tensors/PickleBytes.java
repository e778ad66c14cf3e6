package org.neologism.core.tensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-written pickles and checkpoint files for tests of hostile input. */
final class PickleBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol2() {
        PickleBytes pickle = new PickleBytes();
        pickle.out.write(0x80);
        pickle.out.write(2);
        return pickle;
    }

    PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        int32(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    PickleBytes int1(int value) {
        out.write('K');
        out.write(value);
        return this;
    }

    PickleBytes int4(int value) {
        out.write('J');
        int32(value);
        return this;
    }

    PickleBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes int32(int value) {
        for (int shift = 0; shift < 32; shift += 8) {
            out.write((value >>> shift) & 0xff);
        }
        return this;
    }

    /** {@code _rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel), offset, (n,), (1,), False, OrderedDict())}. */
    PickleBytes floatTensor(String key, int numel, int offset, int length) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').text("storage").global("torch", "FloatStorage").text(key).text("cpu").int4(numel).op('t').op('Q');
        int4(offset).int4(length).op(0x85).int1(1).op(0x85).op(0x89);
        global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
        return this;
    }

    PickleBytes stop() {
        out.write('.');
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A zip checkpoint {@code <stem>/data.pkl} plus the given {@code <stem>/data/<key>} entries. */
    static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            zip.putNextEntry(new ZipEntry(stem + "/data.pkl"));
            zip.write(pickle);
            for (Map.Entry<String, byte[]> storage : storages.entrySet()) {
                zip.putNextEntry(new ZipEntry(stem + "/data/" + storage.getKey()));
                zip.write(storage.getValue());
            }
            zip.putNextEntry(new ZipEntry(stem + "/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }
}

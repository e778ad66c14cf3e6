package org.neologism.trainer.model.fused;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a parameter-free TorchScript module archive without PyTorch: a zip of stored entries under
 * {@code <name>/}: {@code code/__torch__.py} (the module's TorchScript source, compiled by libtorch at
 * load time), {@code data.pkl} (a protocol-2 pickle of the module object with {@code training = False}),
 * {@code constants.pkl} (an empty tuple) and {@code version}.
 */
final class TorchScriptArchive {

    private TorchScriptArchive() {}

    /**
     * @param className the TorchScript class, e.g. {@code Sdpa}
     * @param signature the forward arguments after {@code self}, e.g. {@code q: Tensor, k: Tensor}
     * @param body the expression returned by forward
     */
    static String source(String className, String signature, String body) {
        return "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + className + ",\n"
                + "    " + signature + ") -> Tensor:\n"
                + "    return " + body + "\n";
    }

    /** Writes {@code folder/<name>.pt} (atomically), the archive for one class. */
    static Path write(Path folder, String name, String className, String source) throws IOException {
        Files.createDirectories(folder);
        Path target = folder.resolve(name + ".pt");
        Path temporary = Files.createTempFile(folder, name, ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, name + "/data.pkl", modulePickle(className));
            stored(zip, name + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, name + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** PROTO 2, GLOBAL __torch__.<class>, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, "training": False, SETITEM, BUILD, STOP. */
    private static byte[] modulePickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.write('c');
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.write(')');
        p.write(0x81);
        p.write('}');
        byte[] key = "training".getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x89);
        p.write('s');
        p.write('b');
        p.write('.');
        return p.toByteArray();
    }
}

package org.neologism.core.tensors.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive of stored (uncompressed) entries the way PyTorch's writer does: each entry's data
 * starts on a 64-byte boundary, padded by a {@code FB} extra field in the local header, so a loader can
 * map storages straight from the file. No zip64: archives must stay below 4 GiB.
 */
public final class StoredZipWriter {

    static final int ALIGNMENT = 64;
    private static final int PADDING_HEADER_ID = 0x4246; // "FB"
    private static final long MAX_ZIP32 = 0xffffffffL;

    private record Written(byte[] name, long crc, long size, long headerOffset) {
    }

    private final FileChannel channel;
    private final List<Written> written = new ArrayList<>();
    private long position;

    public StoredZipWriter(FileChannel channel) {
        this.channel = channel;
    }

    public void add(String name, byte[] data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        long headerOffset = position;
        int unpadded = (int) ((headerOffset + 30 + nameBytes.length + 4) % ALIGNMENT);
        int padding = unpadded == 0 ? 0 : ALIGNMENT - unpadded;
        ByteBuffer header = little(30 + nameBytes.length + 4 + padding);
        header.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0x21) // DOS date 1980-01-01, as torch writes
                .putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
                .putShort((short) nameBytes.length).putShort((short) (4 + padding)).put(nameBytes)
                .putShort((short) PADDING_HEADER_ID).putShort((short) padding);
        for (int i = 0; i < padding; i++) {
            header.put((byte) 'Z');
        }
        write(header.flip());
        write(ByteBuffer.wrap(data));
        written.add(new Written(nameBytes, crc.getValue(), data.length, headerOffset));
    }

    /** Writes the central directory; the archive is complete afterwards. */
    public void finish() throws IOException {
        long directoryStart = position;
        for (Written entry : written) {
            ByteBuffer header = little(46 + entry.name.length);
            header.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) entry.crc).putInt((int) entry.size).putInt((int) entry.size)
                    .putShort((short) entry.name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) entry.headerOffset)
                    .put(entry.name);
            write(header.flip());
        }
        long directorySize = position - directoryStart;
        if (position > MAX_ZIP32 || written.size() > 0xffff) {
            throw new IOException("checkpoint exceeds 4 GiB or 65535 entries, which needs zip64 (not supported)");
        }
        ByteBuffer end = little(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) written.size())
                .putShort((short) written.size()).putInt((int) directorySize).putInt((int) directoryStart)
                .putShort((short) 0);
        write(end.flip());
    }

    private void write(ByteBuffer buffer) throws IOException {
        position += buffer.remaining();
        AtomicFileWrite.writeFully(channel, buffer);
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}

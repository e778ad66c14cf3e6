package org.neologism.trainer.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * A .safetensors weight file: core's reader validates the header; tensor bytes are read with positional
 * reads into one reused direct buffer (no mapping lingers until a GC, no heap copy), so loading holds the
 * weights plus the largest tensor.
 */
final class SafetensorsWeights implements WeightSource {

    private final SafetensorsFile file;
    private final FileChannel channel;
    private final long dataStart;
    private ByteBuffer staging = ByteBuffer.allocateDirect(0);

    SafetensorsWeights(Path path) throws IOException {
        file = SafetensorsFile.open(path);
        channel = FileChannel.open(path, StandardOpenOption.READ);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(length, 0);
        // The data buffer follows the 8-byte header length and the header (validated by SafetensorsFile).
        dataStart = 8 + length.getLong(0);
    }

    @Override
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (SafetensorsEntry e : file.entries()) {
            ElementType type = switch (e.dtype()) {
                case F64 -> ElementType.F64;
                case F32 -> ElementType.F32;
                case F16 -> ElementType.F16;
                case BF16 -> ElementType.BF16;
                default -> null;
            };
            // transformers < 4.31 saved CLIP's integer position_ids buffer with the weights; it is not a weight.
            if (type == null && e.name().endsWith("position_ids")) {
                continue;
            }
            if (type == null) {
                throw new UnsupportedModelException(file.path() + ": tensor " + e.name() + " is " + e.dtype()
                        + "; network weights must be floating point");
            }
            entries.add(new Entry(e.name(), type, e.shape()));
        }
        return entries;
    }

    @Override
    public ByteBuffer bytes(Entry entry) {
        try {
            SafetensorsEntry stored = file.entry(entry.name());
            int size = Math.toIntExact(stored.byteSize());
            if (staging.capacity() < size) {
                staging = ByteBuffer.allocateDirect(size);
            }
            ByteBuffer target = staging.clear().limit(size);
            long position = dataStart + stored.dataBegin();
            while (target.hasRemaining()) {
                if (channel.read(target, position + target.position()) < 0) {
                    throw new IOException("unexpected end of file");
                }
            }
            return target.flip().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException | ArithmeticException e) {
            throw new UncheckedIOException(file.path() + ": cannot read " + entry.name(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public String describe() {
        return file.path().toString();
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            file.close();
        }
    }
}

package org.neologism.trainer.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.model.config.UnsupportedModelException;

/** A .safetensors weight file through core's memory-mapped reader: each tensor is mapped only while it is copied. */
final class SafetensorsWeights implements WeightSource {

    private final SafetensorsFile file;

    SafetensorsWeights(Path path) throws IOException {
        file = SafetensorsFile.open(path);
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
                default -> throw new UnsupportedModelException(file.path() + ": tensor " + e.name() + " is "
                        + e.dtype() + "; network weights must be floating point");
            };
            entries.add(new Entry(e.name(), type, e.shape()));
        }
        return entries;
    }

    @Override
    public ByteBuffer bytes(Entry entry) {
        try {
            return file.map(entry.name());
        } catch (IOException e) {
            throw new UncheckedIOException(file.path() + ": cannot read " + entry.name(), e);
        }
    }

    @Override
    public String describe() {
        return file.path().toString();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}

package org.neologism.trainer.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neologism.core.tensors.PickledTensor;
import org.neologism.core.tensors.TorchCheckpoint;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * A PyTorch {@code .bin} state dict through core's restricted checkpoint reader; each tensor is read (and
 * its strides resolved) only when the loader asks for it.
 */
final class TorchCheckpointWeights implements WeightSource {

    private final TorchCheckpoint checkpoint;
    private final Map<String, PickledTensor> tensors;

    TorchCheckpointWeights(Path path) throws IOException {
        checkpoint = TorchCheckpoint.open(path);
        try {
            tensors = checkpoint.tensors();
        } catch (IOException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    @Override
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        tensors.forEach((name, t) -> {
            ElementType type = switch (t.dtype()) {
                case F64 -> ElementType.F64;
                case F32 -> ElementType.F32;
                case F16 -> ElementType.F16;
                case BF16 -> ElementType.BF16;
                default -> null;
            };
            if (type == null && name.endsWith("position_ids")) {
                return;
            }
            if (type == null) {
                throw new UnsupportedModelException(checkpoint.path() + ": tensor " + name + " is " + t.dtype()
                        + "; network weights must be floating point");
            }
            entries.add(new Entry(name, type, t.shape()));
        });
        return entries;
    }

    @Override
    public ByteBuffer bytes(Entry entry) {
        try {
            return ByteBuffer.wrap(checkpoint.read(tensors.get(entry.name())).bytes()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint.path() + ": cannot read " + entry.name(), e);
        }
    }

    @Override
    public String describe() {
        return checkpoint.path().toString();
    }

    @Override
    public void close() throws IOException {
        checkpoint.close();
    }
}

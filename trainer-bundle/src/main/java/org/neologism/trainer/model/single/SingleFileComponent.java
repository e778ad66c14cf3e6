package org.neologism.trainer.model.single;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neologism.trainer.model.WeightSource;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * One diffusers component of a single-file checkpoint as a {@link WeightSource}: its tensors under their
 * diffusers names, each read from the file and transformed when the loader asks for it.
 */
public final class SingleFileComponent implements WeightSource {

    private final OriginalCheckpoint checkpoint;
    private final String component;
    private final Map<String, MappedTensor> byName = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    private final boolean owner;

    /** With {@code owner}, closing the view closes {@code checkpoint}; otherwise the caller does. */
    public SingleFileComponent(OriginalCheckpoint checkpoint, String component, List<MappedTensor> tensors,
            boolean owner) {
        this.checkpoint = checkpoint;
        this.owner = owner;
        this.component = component;
        for (MappedTensor tensor : tensors) {
            OriginalCheckpoint.Stored stored = checkpoint.tensors().get(tensor.from());
            ElementType type = switch (stored.dtype()) {
                case F64 -> ElementType.F64;
                case F32 -> ElementType.F32;
                case F16 -> ElementType.F16;
                case BF16 -> ElementType.BF16;
                default -> throw new UnsupportedModelException(checkpoint.path() + ": tensor " + tensor.from()
                        + " is " + stored.dtype() + "; network weights must be floating point");
            };
            byName.put(tensor.name(), tensor);
            entries.add(new Entry(tensor.name(), type, tensor.transform().targetShape(stored.shape())));
        }
    }

    @Override
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Where {@code name} comes from. */
    public MappedTensor source(String name) {
        return byName.get(name);
    }

    @Override
    public ByteBuffer bytes(Entry entry) {
        MappedTensor tensor = byName.get(entry.name());
        OriginalCheckpoint.Stored stored = checkpoint.tensors().get(tensor.from());
        return tensor.transform().apply(checkpoint.bytes(tensor.from()), stored.shape(), stored.dtype().byteSize());
    }

    @Override
    public String describe() {
        return checkpoint.path() + " (" + component + ")";
    }

    @Override
    public void close() throws IOException {
        if (owner) {
            checkpoint.close();
        }
    }
}

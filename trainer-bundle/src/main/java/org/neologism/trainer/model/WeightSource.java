package org.neologism.trainer.model;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.List;

/** Named tensors of one weight file, read one at a time (a file of several GB is never held whole in the heap). */
public interface WeightSource extends Closeable {

    /** Tensor element types the loader understands (safetensors spelling). */
    enum ElementType { F64, F32, F16, BF16 }

    /** One stored tensor's description. */
    record Entry(String name, ElementType type, long[] shape) {}

    /** The file's tensors, in file order. */
    List<Entry> entries();

    /** The little-endian bytes of one tensor; valid until the next call or until the source is closed. */
    ByteBuffer bytes(Entry entry);

    /** The file, for messages. */
    String describe();
}

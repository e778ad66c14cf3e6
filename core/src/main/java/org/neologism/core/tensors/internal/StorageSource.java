package org.neologism.core.tensors.internal;

import java.io.Closeable;
import java.io.IOException;

import org.neologism.core.tensors.TorchStorage;

/** Where a checkpoint keeps the raw bytes of its storages. */
public interface StorageSource extends Closeable {

    /**
     * {@code length} bytes of {@code storage} starting {@code byteOffset} bytes into it.
     *
     * @throws org.neologism.core.tensors.MalformedTensorFileException if the file does not hold them
     */
    byte[] read(TorchStorage storage, long byteOffset, int length) throws IOException;
}

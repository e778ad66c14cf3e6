package org.neologism.core.tensors;

import java.util.Objects;

/**
 * One storage of a PyTorch checkpoint, as its pickle names it: the persistent id
 * {@code ('storage', torch.FloatStorage, '<key>', '<device>', numel)}.
 *
 * @param key          the storage key: the entry {@code <folder>/data/<key>} of a zip checkpoint, or the
 *                     position in the storage list of a legacy one
 * @param dtype        the element type named by the storage class ({@code FloatStorage} is F32, ...)
 * @param device       where it lived when saved, e.g. {@code cpu} or {@code cuda:0} (informational only)
 * @param elementCount the number of elements the storage holds
 */
public record TorchStorage(String key, DType dtype, String device, long elementCount) {

    public TorchStorage {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
    }

    public long byteSize() {
        return elementCount * dtype.byteSize();
    }
}

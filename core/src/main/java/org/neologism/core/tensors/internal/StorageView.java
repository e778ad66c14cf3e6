package org.neologism.core.tensors.internal;

import org.neologism.core.tensors.TorchStorage;

/**
 * What a storage persistent id resolves to: a whole storage, or in legacy files possibly a slice of one
 * ({@code view_metadata = (view_key, offset, size)}), whose offset shifts every tensor built on it.
 */
public record StorageView(TorchStorage storage, long elementOffset, long elementCount) {
}

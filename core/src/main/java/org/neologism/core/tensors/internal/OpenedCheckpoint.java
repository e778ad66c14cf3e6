package org.neologism.core.tensors.internal;

/** A checkpoint's unpickled object and the open source of the storages it refers to. */
public record OpenedCheckpoint(Object root, StorageSource storages) {
}

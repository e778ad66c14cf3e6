package org.neologism.core.tensors.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.neologism.core.tensors.MalformedTensorFileException;
import org.neologism.core.tensors.TorchStorage;

/**
 * The legacy {@code torch.save} format ({@code _use_new_zipfile_serialization=False}, and every file from
 * before PyTorch 1.6): five pickles in a row (magic number, protocol version 1001, system info, the
 * object, the sorted storage keys), then each storage in key order as an int64 element count followed
 * by its raw bytes. A module class in the object (the original textual-inversion file's
 * {@code nn.ParameterDict}) is written as a {@code ('module', class, source_file, source)} persistent id;
 * its class is looked up in the allowlist as any global is, and its source text is never compiled.
 */
public final class LegacyCheckpoint implements StorageSource {

    static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;

    private final Path file;
    private final FileChannel channel;
    /** Absolute file offset of the first data byte of each storage. */
    private final Map<String, Long> dataOffsets;

    private LegacyCheckpoint(Path file, FileChannel channel, Map<String, Long> dataOffsets) {
        this.file = file;
        this.channel = channel;
        this.dataOffsets = dataOffsets;
    }

    public static OpenedCheckpoint open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long fileSize = channel.size();
            ByteBuffer pickles = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(fileSize, Integer.MAX_VALUE));
            Map<String, TorchStorage> storages = new HashMap<>();
            RestrictedUnpickler.PersistentLoader noStorages = id -> {
                throw new PickleRefusal("storage reference in a header pickle");
            };
            Object magic = new RestrictedUnpickler(file, "pickle 1 (magic number)", pickles, noStorages).load();
            if (!MAGIC_NUMBER.equals(magic)) {
                throw new MalformedTensorFileException(file, "starts with a pickle but not with the PyTorch magic number;"
                        + " it is not a torch.save file");
            }
            Object protocol = new RestrictedUnpickler(file, "pickle 2 (protocol)", pickles, noStorages).load();
            if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol)) {
                throw new MalformedTensorFileException(file, "has legacy protocol version " + protocol + ", expected "
                        + PROTOCOL_VERSION);
            }
            Object systemInfo = new RestrictedUnpickler(file, "pickle 3 (system info)", pickles, noStorages).load();
            if (systemInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new MalformedTensorFileException(file, "was written on a big-endian machine; only little-endian"
                        + " checkpoints are supported");
            }
            Object root = new RestrictedUnpickler(file, "pickle 4 (object)", pickles, id -> {
                if (TorchRebuild.isModuleSource(id)) {
                    return TorchRebuild.moduleClass(id);
                }
                StorageView view = TorchRebuild.storage(id);
                TorchStorage previous = storages.putIfAbsent(view.storage().key(), view.storage());
                if (previous != null && !previous.equals(view.storage())) {
                    throw new PickleRefusal("storage '" + previous.key() + "' is declared twice with different types or sizes");
                }
                return view;
            }).load();
            Object keys = new RestrictedUnpickler(file, "pickle 5 (storage keys)", pickles, noStorages).load();
            Map<String, Long> offsets = locateStorages(file, channel, fileSize, pickles.position(), keys, storages);
            return new OpenedCheckpoint(root, new LegacyCheckpoint(file, channel, offsets));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, Long> locateStorages(Path file, FileChannel channel, long fileSize, long start,
            Object keys, Map<String, TorchStorage> storages) throws IOException {
        if (!(keys instanceof List<?> keyList)) {
            throw new MalformedTensorFileException(file, "storage key list is a " + RestrictedUnpickler.typeName(keys));
        }
        Map<String, Long> offsets = new HashMap<>();
        long position = start;
        for (Object key : keyList) {
            TorchStorage storage = key instanceof String k ? storages.get(k) : null;
            if (storage == null) {
                throw new MalformedTensorFileException(file, "lists storage " + key + " that no tensor uses");
            }
            if (position > fileSize - 8) {
                throw new MalformedTensorFileException(file, "ends before storage '" + key + "'; the file is truncated");
            }
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, count, position);
            long elements = count.getLong(0);
            if (elements != storage.elementCount()) {
                throw new MalformedTensorFileException(file, "storage '" + key + "' holds " + elements
                        + " elements but the pickle declares " + storage.elementCount());
            }
            long end;
            try {
                end = Math.addExact(position + 8, Math.multiplyExact(elements, storage.dtype().byteSize()));
            } catch (ArithmeticException overflow) {
                end = Long.MAX_VALUE;
            }
            if (end > fileSize) {
                throw new MalformedTensorFileException(file, "storage '" + key + "' needs bytes up to " + end
                        + " but the file has " + fileSize + "; the file is truncated");
            }
            if (offsets.put((String) key, position + 8) != null) {
                throw new MalformedTensorFileException(file, "lists storage '" + key + "' twice");
            }
            position = end;
        }
        if (offsets.size() != storages.size()) {
            throw new MalformedTensorFileException(file, "the storage key list misses storages the tensors use");
        }
        return offsets;
    }

    @Override
    public byte[] read(TorchStorage storage, long byteOffset, int length) throws IOException {
        Long start = dataOffsets.get(storage.key());
        if (start == null) {
            throw new MalformedTensorFileException(file, "has no storage '" + storage.key() + "'");
        }
        if (byteOffset < 0 || byteOffset + length > storage.byteSize()) {
            throw new MalformedTensorFileException(file, "read beyond storage '" + storage.key() + "'");
        }
        ByteBuffer bytes = ByteBuffer.allocate(length);
        try {
            readFully(channel, bytes, start + byteOffset);
        } catch (java.io.EOFException e) {
            throw new MalformedTensorFileException(file, "ends inside storage '" + storage.key() + "'", e);
        }
        return bytes.array();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new java.io.EOFException("file ended at byte " + (position + buffer.position()));
            }
        }
    }
}

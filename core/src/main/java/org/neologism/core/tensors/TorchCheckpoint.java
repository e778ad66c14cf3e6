package org.neologism.core.tensors;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neologism.core.tensors.internal.LegacyCheckpoint;
import org.neologism.core.tensors.internal.OpenedCheckpoint;
import org.neologism.core.tensors.internal.StorageSource;
import org.neologism.core.tensors.internal.ZipCheckpoint;

/**
 * A PyTorch checkpoint ({@code .bin}, {@code .pt}, {@code .ckpt}) written by {@code torch.save}, in the zip
 * format or the legacy one, read without PyTorch and without executing anything: the pickle is
 * interpreted by a restricted unpickler that refuses every global tensor files do not need.
 *
 * <p>{@link #root()} is the saved Python object as Java values: {@code dict} → {@link Map} (insertion
 * order), {@code list} → {@link java.util.ArrayList}, tuple → unmodifiable {@link List}, {@code set} →
 * {@link Set}, {@code str} → {@link String}, {@code int} → {@link Long} ({@link BigInteger} beyond 64
 * bits), {@code float} → {@link Double}, {@code bool} → {@link Boolean}, {@code bytes} → {@code byte[]},
 * {@code None} → {@code null}, tensors and parameters → {@link PickledTensor}, and a
 * {@code torch.nn.ParameterDict} → the {@link Map} of its parameters. Tensor data is read on demand.
 *
 * <pre>{@code
 * try (TorchCheckpoint checkpoint = TorchCheckpoint.open(path)) {
 *     for (var entry : checkpoint.tensors().entrySet()) {   // e.g. "string_to_param/*"
 *         float[] values = checkpoint.readFloats(entry.getValue());
 *     }
 * }
 * }</pre>
 */
public final class TorchCheckpoint implements AutoCloseable {

    /** How the file stores its object and storages. */
    public enum Format {
        /** {@code torch.save} since PyTorch 1.6: a zip archive of {@code data.pkl} and {@code data/<key>}. */
        ZIP,
        /** {@code _use_new_zipfile_serialization=False}: pickles followed by raw storages. */
        LEGACY
    }

    /** Containers nested deeper than this are refused when listing tensors. */
    static final int MAX_NESTING = 100;
    /** How often a broadcast (stride 0) view may repeat each stored element. */
    private static final long MAX_REPEAT = 64;
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final Path file;
    private final Format format;
    private final Object root;
    private final StorageSource storages;

    private TorchCheckpoint(Path file, Format format, OpenedCheckpoint opened) {
        this.file = file;
        this.format = format;
        this.root = opened.root();
        this.storages = opened.storages();
    }

    /**
     * Opens {@code file} and unpickles its object; storages are read later, on demand.
     *
     * @throws MalformedTensorFileException if the file is not a PyTorch checkpoint, is truncated or
     *         inconsistent, or names a Python global that is refused (the message names it)
     */
    public static TorchCheckpoint open(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return new TorchCheckpoint(file, Format.ZIP, ZipCheckpoint.open(file));
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80) {
            return new TorchCheckpoint(file, Format.LEGACY, LegacyCheckpoint.open(file));
        }
        throw new MalformedTensorFileException(file, "is neither a torch.save zip archive nor a legacy PyTorch"
                + " checkpoint (it does not start with 'PK' or a pickle)");
    }

    public Path path() {
        return file;
    }

    public Format format() {
        return format;
    }

    /** The saved object (see the class comment for how Python values map to Java). */
    public Object root() {
        return root;
    }

    /**
     * Every tensor reachable from the root, keyed by its path: dict keys and list indices joined with
     * {@code /} (e.g. {@code string_to_param/*}), or {@code ""} when the root itself is a tensor. Listed in
     * the order of the saved object.
     *
     * @throws MalformedTensorFileException if containers nest deeper than {@value #MAX_NESTING} levels
     */
    public Map<String, PickledTensor> tensors() throws MalformedTensorFileException {
        Map<String, PickledTensor> found = new LinkedHashMap<>();
        collect(root, "", 0, found, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(found);
    }

    /** The tensor as dense row-major data, following its storage offset and strides. */
    public TensorData read(PickledTensor tensor) throws IOException {
        TorchStorage storage = tensor.storage();
        int elementSize = storage.dtype().byteSize();
        long count;
        try {
            count = tensor.elementCount();
        } catch (ArithmeticException overflow) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ARRAY_LENGTH / elementSize) {
            throw new MalformedTensorFileException(file, tensor + " is too large for one Java array");
        }
        long[] shape = tensor.shape();
        long[] stride = tensor.stride();
        if (count == 0) {
            return new TensorData(storage.dtype(), tensor.intShape(), new byte[0], tensor.requiresGrad());
        }
        long first = tensor.storageOffset();
        long last = first;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (stride[i] < 0) {
                    throw new MalformedTensorFileException(file, tensor + " has a negative stride");
                }
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        } catch (ArithmeticException overflow) {
            last = Long.MAX_VALUE;
        }
        if (first < 0 || last >= storage.elementCount()) {
            throw new MalformedTensorFileException(file, tensor + " reaches beyond its storage of "
                    + storage.elementCount() + " elements");
        }
        long spanBytes = (last - first + 1) * elementSize;
        if (spanBytes > MAX_ARRAY_LENGTH) {
            throw new MalformedTensorFileException(file, tensor + " spans too many storage bytes for one Java array");
        }
        if (count > MAX_REPEAT * (last - first + 1) + 4096) {
            // stride-0 views legitimately repeat elements, but not enough to turn a small file into gigabytes
            throw new MalformedTensorFileException(file, tensor + " repeats its storage elements more than "
                    + MAX_REPEAT + " times");
        }
        byte[] span = storages.read(storage, first * elementSize, (int) spanBytes);
        byte[] dense = isRowMajor(shape, stride) ? span : gather(span, shape, stride, (int) count, elementSize);
        return new TensorData(storage.dtype(), tensor.intShape(), dense, tensor.requiresGrad());
    }

    /** The tensor converted to float (F16 and BF16 exactly). */
    public float[] readFloats(PickledTensor tensor) throws IOException {
        return read(tensor).floats();
    }

    /** An integer tensor widened to long. */
    public long[] readLongs(PickledTensor tensor) throws IOException {
        if (tensor.dtype().isFloatingPoint()) {
            throw new MalformedTensorFileException(file, tensor + " is not an integer tensor");
        }
        return read(tensor).longs();
    }

    /** Every tensor of {@link #tensors()} read into memory. */
    public Map<String, TensorData> readAll() throws IOException {
        Map<String, TensorData> all = new LinkedHashMap<>();
        for (Map.Entry<String, PickledTensor> entry : tensors().entrySet()) {
            all.put(entry.getKey(), read(entry.getValue()));
        }
        return Collections.unmodifiableMap(all);
    }

    @Override
    public void close() throws IOException {
        storages.close();
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + file + ", " + format + "]";
    }

    private void collect(Object value, String path, int depth, Map<String, PickledTensor> found, Set<Object> seen)
            throws MalformedTensorFileException {
        if (value instanceof PickledTensor tensor) {
            found.putIfAbsent(path, tensor);
            return;
        }
        if (!(value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Set<?>)) {
            return;
        }
        if (!seen.add(value)) {
            return; // a container reached twice (shared or cyclic) is listed once
        }
        if (depth >= MAX_NESTING) {
            throw new MalformedTensorFileException(file, "nests containers deeper than " + MAX_NESTING + " levels");
        }
        String prefix = path.isEmpty() ? "" : path + "/";
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                collect(entry.getValue(), prefix + entry.getKey(), depth + 1, found, seen);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collect(list.get(i), prefix + i, depth + 1, found, seen);
            }
        } else {
            int i = 0;
            for (Object item : (Set<?>) value) {
                collect(item, prefix + i++, depth + 1, found, seen);
            }
        }
    }

    private static boolean isRowMajor(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Copies a strided view element by element into row-major order (an odometer over the indices). */
    private static byte[] gather(byte[] span, long[] shape, long[] stride, int count, int elementSize) {
        byte[] dense = new byte[count * elementSize];
        int rank = shape.length;
        long[] index = new long[rank];
        long source = 0;
        for (int element = 0; element < count; element++) {
            System.arraycopy(span, (int) (source * elementSize), dense, element * elementSize, elementSize);
            for (int axis = rank - 1; axis >= 0; axis--) {
                index[axis]++;
                source += stride[axis];
                if (index[axis] < shape[axis]) {
                    break;
                }
                source -= index[axis] * stride[axis];
                index[axis] = 0;
            }
        }
        return dense;
    }
}

package org.neologism.core.tensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.neologism.core.tensors.internal.ElementCodec;
import org.neologism.core.tensors.internal.SafetensorsHeader;

/**
 * A safetensors file opened for reading. The header is parsed and validated once by {@link #open(Path)};
 * tensor data is memory-mapped on demand, one window of at most 1 GiB at a time, so files and tensors
 * larger than 2 GiB (the limit of one {@code MappedByteBuffer}) are read like small ones.
 *
 * <pre>{@code
 * try (SafetensorsFile weights = SafetensorsFile.open(path)) {
 *     float[] w = weights.readFloats("text_model.embeddings.token_embedding.weight");
 * }
 * }</pre>
 */
public final class SafetensorsFile implements AutoCloseable {

    static final int DEFAULT_WINDOW_BYTES = 1 << 30;
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final int windowBytes;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header, int windowBytes) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.windowBytes = windowBytes;
    }

    /**
     * Opens and validates {@code file}.
     *
     * @throws MalformedTensorFileException if the header is inconsistent with itself or the file
     */
    public static SafetensorsFile open(Path file) throws IOException {
        return open(file, DEFAULT_WINDOW_BYTES);
    }

    /** Opens with a smaller mapping window, so tests exercise the windowed path without gigabytes. */
    static SafetensorsFile open(Path file, int windowBytes) throws IOException {
        if (windowBytes < 8 || windowBytes % 8 != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 8 bytes");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(file, channel, SafetensorsHeader.read(file, channel), windowBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return file;
    }

    /** Tensor names in the order their data lies in the file (which is header order for every known writer). */
    public List<String> names() {
        return List.copyOf(header.entries().keySet());
    }

    /** Tensor descriptions in the order of {@link #names()}. */
    public List<SafetensorsEntry> entries() {
        return List.copyOf(header.entries().values());
    }

    public boolean contains(String name) {
        return header.entries().containsKey(name);
    }

    /**
     * The description of the tensor {@code name}.
     *
     * @throws MalformedTensorFileException if the file has no such tensor
     */
    public SafetensorsEntry entry(String name) throws MalformedTensorFileException {
        SafetensorsEntry entry = header.entries().get(name);
        if (entry == null) {
            throw new MalformedTensorFileException(file, "has no tensor named '" + name + "' (it has "
                    + header.entries().size() + " tensors" + namesPreview() + ")");
        }
        return entry;
    }

    /** The {@code __metadata__} string map, empty when the file has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The tensor converted to float from any element type (F16 and BF16 exactly, I64 rounded). */
    public float[] readFloats(String name) throws IOException {
        SafetensorsEntry entry = entry(name);
        float[] values = new float[arrayLength(entry)];
        forEachWindow(entry, (window, firstElement, count) ->
                ElementCodec.decodeFloats(window, entry.dtype(), values, firstElement, count));
        return values;
    }

    /** The tensor converted to double from any element type. */
    public double[] readDoubles(String name) throws IOException {
        SafetensorsEntry entry = entry(name);
        double[] values = new double[arrayLength(entry)];
        forEachWindow(entry, (window, firstElement, count) ->
                ElementCodec.decodeDoubles(window, entry.dtype(), values, firstElement, count));
        return values;
    }

    /** An integer tensor (I64, I32, I16, I8, U8 or BOOL) widened to long. */
    public long[] readLongs(String name) throws IOException {
        SafetensorsEntry entry = entry(name);
        if (entry.dtype().isFloatingPoint()) {
            throw new MalformedTensorFileException(file, "tensor '" + name + "' is " + entry.dtype()
                    + ", not an integer type; read it with readFloats");
        }
        long[] values = new long[arrayLength(entry)];
        forEachWindow(entry, (window, firstElement, count) ->
                ElementCodec.decodeLongs(window, entry.dtype(), values, firstElement, count));
        return values;
    }

    /** An integer tensor narrowed to int; I64 values outside the int range are refused. */
    public int[] readInts(String name) throws IOException {
        long[] wide = readLongs(name);
        int[] values = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            if (wide[i] != (int) wide[i]) {
                throw new MalformedTensorFileException(file, "tensor '" + name + "' holds " + wide[i]
                        + " at index " + i + ", which does not fit in an int; read it with readLongs");
            }
            values[i] = (int) wide[i];
        }
        return values;
    }

    /** The tensor's raw little-endian bytes. */
    public byte[] readBytes(String name) throws IOException {
        SafetensorsEntry entry = entry(name);
        if (entry.byteSize() > MAX_ARRAY_LENGTH) {
            throw tooLarge(entry);
        }
        byte[] bytes = new byte[(int) entry.byteSize()];
        forEachWindow(entry, (window, firstElement, count) ->
                window.get(bytes, firstElement * entry.dtype().byteSize(), count * entry.dtype().byteSize()));
        return bytes;
    }

    /**
     * The tensor's bytes as a read-only little-endian mapped buffer, for callers that copy straight into
     * native memory. Limited to tensors below 2 GiB.
     */
    public ByteBuffer map(String name) throws IOException {
        SafetensorsEntry entry = entry(name);
        if (entry.byteSize() > Integer.MAX_VALUE) {
            throw tooLarge(entry);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + entry.dataBegin(), entry.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + header.entries().size() + " tensors]";
    }

    @FunctionalInterface
    private interface WindowConsumer {
        void accept(ByteBuffer window, int firstElement, int count);
    }

    private void forEachWindow(SafetensorsEntry entry, WindowConsumer consumer) throws IOException {
        int elementSize = entry.dtype().byteSize();
        long start = header.dataStart() + entry.dataBegin();
        long remaining = entry.byteSize();
        long done = 0;
        while (remaining > 0) {
            int length = (int) Math.min(remaining, windowBytes);
            ByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, start + done, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            consumer.accept(window, (int) (done / elementSize), length / elementSize);
            done += length;
            remaining -= length;
        }
    }

    private int arrayLength(SafetensorsEntry entry) throws MalformedTensorFileException {
        long count = entry.elementCount();
        if (count > MAX_ARRAY_LENGTH) {
            throw tooLarge(entry);
        }
        return (int) count;
    }

    private MalformedTensorFileException tooLarge(SafetensorsEntry entry) {
        return new MalformedTensorFileException(file, "tensor '" + entry.name() + "' (" + entry.elementCount()
                + " elements, " + entry.byteSize() + " bytes) is too large for one Java array");
    }

    private String namesPreview() {
        List<String> sorted = new ArrayList<>(header.entries().keySet());
        Collections.sort(sorted, Comparator.naturalOrder());
        return sorted.isEmpty() ? "" : ", e.g. '" + sorted.get(0) + "'";
    }
}

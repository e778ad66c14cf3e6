package org.neologism.core.tensors.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.neologism.core.tensors.MalformedTensorFileException;
import org.neologism.core.tensors.TorchStorage;

/**
 * The {@code torch.save} zip format (PyTorch 1.6 and later): {@code <folder>/data.pkl} holds the pickled
 * object, {@code <folder>/data/<key>} the raw bytes of each storage. The folder is {@code archive} or the
 * file's stem, so it is found rather than assumed.
 */
public final class ZipCheckpoint implements StorageSource {

    /**
     * A pickle larger than this is not a tensor file's: an SD checkpoint's is about 1 MB, and a larger
     * cap lets a small compressed entry make the reader allocate hundreds of megabytes.
     */
    private static final int MAX_PICKLE_BYTES = 64 << 20;
    /** Deflate cannot expand data by more than about 1032:1, so a larger declared size is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private final Path file;
    private final ZipFile zip;
    private final String folder;
    private final long fileSize;

    private ZipCheckpoint(Path file, ZipFile zip, String folder, long fileSize) {
        this.file = file;
        this.zip = zip;
        this.folder = folder;
        this.fileSize = fileSize;
    }

    /** Opens the archive and unpickles {@code data.pkl}; the returned source stays open for storage reads. */
    public static OpenedCheckpoint open(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new MalformedTensorFileException(file, "is not a readable zip archive (" + e.getMessage() + ")", e);
        }
        try {
            String pickleName = findPickle(file, zip);
            ZipCheckpoint source = new ZipCheckpoint(file, zip, pickleName.substring(0, pickleName.lastIndexOf('/') + 1),
                    Files.size(file));
            source.checkByteOrder();
            byte[] pickle = source.readEntry(zip.getEntry(pickleName), 0, MAX_PICKLE_BYTES, true);
            RestrictedUnpickler unpickler = new RestrictedUnpickler(file, pickleName, ByteBuffer.wrap(pickle),
                    id -> TorchRebuild.storage(id));
            return new OpenedCheckpoint(unpickler.load(), source);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    @Override
    public byte[] read(TorchStorage storage, long byteOffset, int length) throws IOException {
        String name = folder + "data/" + storage.key();
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new MalformedTensorFileException(file, "has no entry " + name + " for storage '" + storage.key() + "'");
        }
        if (entry.getSize() >= 0 && entry.getSize() < storage.byteSize()) {
            throw new MalformedTensorFileException(file, "entry " + name + " holds " + entry.getSize()
                    + " bytes but its storage declares " + storage.elementCount() + " " + storage.dtype() + " elements");
        }
        return readEntry(entry, byteOffset, length, false);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    private static String findPickle(Path file, ZipFile zip) throws MalformedTensorFileException {
        List<String> pickles = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                pickles.add(name);
            }
        }
        if (pickles.size() != 1) {
            throw new MalformedTensorFileException(file, pickles.isEmpty()
                    ? "is a zip archive without <folder>/data.pkl, so not a torch.save checkpoint"
                    : "is a zip archive with " + pickles.size() + " data.pkl entries " + pickles);
        }
        return pickles.get(0);
    }

    private void checkByteOrder() throws IOException {
        ZipEntry byteorder = zip.getEntry(folder + "byteorder");
        if (byteorder != null) {
            String order = new String(readEntry(byteorder, 0, 16, true), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw new MalformedTensorFileException(file, "stores tensors in '" + order
                        + "' byte order; only little-endian checkpoints are supported");
            }
        }
    }

    /**
     * Reads from an entry without trusting its declared size: bytes are collected as they arrive, so a
     * lying header costs nothing.
     *
     * @param upTo when true, {@code length} is a maximum and the whole entry must fit in it
     */
    private byte[] readEntry(ZipEntry entry, long byteOffset, int length, boolean upTo) throws IOException {
        checkPlausibleSize(entry);
        try (InputStream in = zip.getInputStream(entry)) {
            in.skipNBytes(byteOffset);
            byte[] bytes = in.readNBytes(upTo ? length + 1 : length);
            if (upTo && bytes.length > length) {
                throw new MalformedTensorFileException(file, "entry " + entry.getName() + " is larger than "
                        + length + " bytes");
            }
            if (!upTo && bytes.length != length) {
                throw new MalformedTensorFileException(file, "entry " + entry.getName() + " ends before byte "
                        + (byteOffset + length) + "; the file is truncated");
            }
            return bytes;
        } catch (java.io.EOFException e) {
            throw new MalformedTensorFileException(file, "entry " + entry.getName() + " ends before byte "
                    + (byteOffset + length) + "; the file is truncated", e);
        } catch (java.util.zip.ZipException e) {
            throw new MalformedTensorFileException(file, "entry " + entry.getName() + " is corrupt (" + e.getMessage()
                    + ")", e);
        }
    }

    private void checkPlausibleSize(ZipEntry entry) throws MalformedTensorFileException {
        long stored = entry.getCompressedSize();
        long size = entry.getSize();
        boolean implausible = entry.getMethod() == ZipEntry.STORED
                ? size > fileSize || stored > fileSize
                : stored > fileSize || (size >= 0 && stored >= 0 && size > MAX_DEFLATE_RATIO * Math.max(stored, 1));
        if (implausible) {
            throw new MalformedTensorFileException(file, "entry " + entry.getName() + " declares " + size
                    + " bytes, more than the " + fileSize + "-byte file can hold");
        }
    }
}

package org.neologism.concepts.library;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingConflictException;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The library under {@code <root>/embeddings}, laid out as InvokeAI reads it: an SD 1.x/2.x embedding in
 * {@code <folder>/learned_embeds.bin} (a single vector written {@code [d]}, which InvokeAI 2.3 needs), an
 * SDXL pair in {@code <folder>/<folder>.safetensors} with {@code clip_l} and {@code clip_g}. Listing scans the
 * folder recursively, as InvokeAI does, so files copied in by hand count too.
 *
 * <p>An install is written completely to a hidden file beside its target, read back, then renamed over the
 * target, so InvokeAI never sees half a file; with {@code force}, other files holding the same trigger are
 * deleted afterwards, and nothing else in the folder is touched.
 */
@Component(service = EmbeddingLibrary.class)
public final class InvokeAiEmbeddingLibrary implements EmbeddingLibrary {

    static final String BIN_FILE = "learned_embeds.bin";
    private static final int MAX_SCAN_DEPTH = 8;

    private final RootFolder root;
    private final EmbeddingFormats formats;

    private InvokeAiEmbeddingLibrary(RootFolder root, EmbeddingFormats formats) {
        this.root = root;
        this.formats = formats;
    }

    /** The library of one root folder (SCR needs the public constructor to be the only one). */
    public static InvokeAiEmbeddingLibrary at(RootFolder root, EmbeddingFormats formats) {
        return new InvokeAiEmbeddingLibrary(root, formats);
    }

    @Activate
    public InvokeAiEmbeddingLibrary(@Reference Settings settings, @Reference EmbeddingFormats formats) {
        this(settings.root(), formats);
    }

    public Path folder() {
        return root.embeddings();
    }

    @Override
    public EmbeddingLibrary under(RootFolder otherRoot) {
        return otherRoot.equals(root) ? this : new InvokeAiEmbeddingLibrary(otherRoot, formats);
    }

    // synchronized: the trainer and the shell may install at once, and a conflict check must not
    // interleave with another install's write
    @Override
    public synchronized InstalledEmbedding install(List<Embedding> parts, boolean force) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("Nothing to install: no embedding given");
        }
        String trigger = parts.get(0).trigger();
        if (parts.stream().anyMatch(p -> !p.trigger().equals(trigger))) {
            throw new IllegalArgumentException("The parts of one embedding must share a trigger, not "
                    + parts.stream().map(Embedding::trigger).distinct().toList());
        }
        String folderName = RootFolder.folderName(trigger);
        boolean sdxl = parts.size() > 1 || parts.get(0).isForOneOfSeveralEncoders();
        Path target = folder().resolve(folderName).resolve(sdxl ? folderName + ".safetensors" : BIN_FILE);
        List<InstalledEmbedding> conflicts = matching(trigger);
        if (!force) {
            if (!conflicts.isEmpty()) {
                throw new EmbeddingConflictException(trigger, conflicts.get(0).file());
            }
            if (Files.exists(target)) {
                throw new EmbeddingConflictException(trigger, target);
            }
        }
        Files.createDirectories(target.getParent());
        // staged under its own name in a hidden folder: the name becomes the trigger of SDXL files and
        // the archive folder inside PyTorch files
        Path stagingFolder = Files.createDirectory(target.resolveSibling(".staging-" + UUID.randomUUID()));
        Path staging = stagingFolder.resolve(target.getFileName());
        try {
            formats.codec(sdxl ? SdxlPairCodec.FORMAT : LearnedEmbedsBinCodec.FORMAT).write(parts, staging);
            InstalledEmbedding written = read(staging);
            move(staging, target);
            for (InstalledEmbedding conflict : conflicts) {
                if (!conflict.file().equals(target)) {
                    deleteFileAndEmptyFolder(conflict.file());
                }
            }
            return new InstalledEmbedding(written.trigger(), target, written.format(), written.parts());
        } finally {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(stagingFolder);
        }
    }

    @Override
    public List<InstalledEmbedding> list() throws IOException {
        List<InstalledEmbedding> found = new ArrayList<>();
        if (!Files.isDirectory(folder())) {
            return found;
        }
        Files.walkFileTree(folder(), EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_SCAN_DEPTH,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return dir.equals(folder()) || !hidden(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && !hidden(file)) {
                            readable(file).ifPresent(found::add);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        found.sort(Comparator.comparing(InstalledEmbedding::trigger).thenComparing(e -> e.file().toString()));
        return found;
    }

    @Override
    public Optional<InstalledEmbedding> find(String trigger) throws IOException {
        return matching(trigger).stream().findFirst();
    }

    @Override
    public synchronized InstalledEmbedding remove(String trigger) throws IOException {
        List<InstalledEmbedding> installed = matching(trigger);
        if (installed.isEmpty()) {
            throw new FileNotFoundException("No embedding with trigger " + trigger + " is installed in " + folder()
                    + "; ti:embeddings lists the installed ones");
        }
        for (InstalledEmbedding embedding : installed) {
            deleteFileAndEmptyFolder(embedding.file());
        }
        return installed.get(0);
    }

    /** Installed embeddings whose trigger would use the same folder as {@code trigger}. */
    private List<InstalledEmbedding> matching(String trigger) throws IOException {
        String folderName = RootFolder.folderName(trigger);
        List<InstalledEmbedding> matches = new ArrayList<>();
        for (InstalledEmbedding embedding : list()) {
            if (sameFolderName(embedding.trigger(), folderName)) {
                matches.add(embedding);
            }
        }
        return matches;
    }

    private static boolean sameFolderName(String trigger, String folderName) {
        try {
            return RootFolder.folderName(trigger).equals(folderName);
        } catch (IllegalArgumentException unusableTrigger) {
            return false;
        }
    }

    private InstalledEmbedding read(Path file) throws IOException {
        EmbeddingFormats.Detected detected = formats.detect(file);
        List<Embedding> parts = detected.read();
        return new InstalledEmbedding(parts.get(0).trigger(), file, detected.codec().format(), parts);
    }

    private Optional<InstalledEmbedding> readable(Path file) {
        try {
            return Optional.of(read(file));
        } catch (IOException | RuntimeException notAnEmbedding) {
            return Optional.empty();
        }
    }

    private boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    private void deleteFileAndEmptyFolder(Path file) throws IOException {
        Files.deleteIfExists(file);
        Path parent = file.getParent();
        if (!parent.equals(folder()) && parent.startsWith(folder())) {
            try (var rest = Files.list(parent)) {
                if (rest.findAny().isEmpty()) {
                    Files.delete(parent);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}

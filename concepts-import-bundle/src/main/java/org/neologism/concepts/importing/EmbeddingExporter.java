package org.neologism.concepts.importing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.neologism.concepts.sdconcepts.ConceptFolder;
import org.neologism.concepts.sdconcepts.SdConceptsFolders;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;

/** Writes an installed embedding in a chosen format, or as an sd-concepts-library folder. */
public final class EmbeddingExporter {

    /** The {@code --format} that writes a concept folder rather than a file. */
    public static final String SD_CONCEPTS_FOLDER = "sd_concepts_folder";

    private final EmbeddingFormats formats;
    private final EmbeddingLibrary library;

    public EmbeddingExporter(EmbeddingFormats formats, EmbeddingLibrary library) {
        this.formats = formats;
        this.library = library;
    }

    /**
     * Exports the embedding installed under {@code trigger}.
     *
     * @param force replace an existing destination file (a concept folder is never replaced)
     */
    public Path export(String trigger, Path destination, String format, boolean force) throws IOException {
        InstalledEmbedding installed = library.find(trigger).orElseThrow(() -> new FileNotFoundException(
                "No embedding with trigger " + trigger + " is installed; ti:embeddings lists the installed ones"));
        List<Embedding> parts = installed.parts();
        if (format.equals(SD_CONCEPTS_FOLDER)) {
            if (parts.size() != 1 || parts.get(0).isForOneOfSeveralEncoders()) {
                throw new IllegalArgumentException(trigger + " is an SDXL pair; sd-concepts-library folders hold SD 1.x/2.x"
                        + " embeddings; use --format sdxl_clip_pair");
            }
            new SdConceptsFolders(formats).write(new ConceptFolder(parts.get(0), ConceptFolder.OBJECT, List.of()),
                    destination);
            return destination;
        }
        var codec = formats.codec(format);
        if (Files.isDirectory(destination)) {
            throw new IOException(destination + " is a folder; give the path of the file to write");
        }
        if (Files.exists(destination) && !force) {
            throw new IOException(destination + " exists already; choose another destination or replace it with --force");
        }
        codec.write(parts, destination);
        return destination;
    }
}

package org.neologism.concepts.importing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.neologism.concepts.sdconcepts.SdConceptsFolders;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/** Reads an embedding file or concept folder, checks it against a model, and installs it in the library. */
public final class EmbeddingImporter {

    private final EmbeddingFormats formats;
    private final EmbeddingLibrary library;

    public EmbeddingImporter(EmbeddingFormats formats, EmbeddingLibrary library) {
        this.formats = formats;
        this.library = library;
    }

    public InstalledEmbedding importEmbedding(ImportRequest request) throws IOException {
        List<Embedding> parts = new ArrayList<>(read(request));
        if (request.trigger().isPresent()) {
            String trigger = request.trigger().get().strip();
            if (trigger.isEmpty()) {
                throw new IllegalArgumentException("--trigger is empty; give the word to use in prompts, e.g. --trigger <cat-toy>");
            }
            parts.replaceAll(part -> part.withTrigger(trigger));
        }
        if (request.model().isPresent()) {
            ModelTokenWidth.check(parts, request.model().get());
        }
        return library.install(parts, request.force());
    }

    /** The parts a file imports as: one embedding, SDXL's two halves, or both files of a diffusers SDXL pair. */
    List<Embedding> read(Path file) throws IOException {
        Optional<DiffusersSdxlPair> pair = DiffusersSdxlPair.of(file);
        return pair.isPresent() ? pair.get().read(formats) : formats.read(file);
    }

    private List<Embedding> read(ImportRequest request) throws IOException {
        if (Files.isDirectory(request.source())) {
            if (!SdConceptsFolders.isConceptFolder(request.source())) {
                throw new InvalidEmbeddingFileException(request.source(), "is a folder without "
                        + SdConceptsFolders.EMBEDDING_FILE + "; give an embedding file or an sd-concepts-library folder");
            }
            return List.of(new SdConceptsFolders(formats).read(request.source()).embedding());
        }
        return read(request.source());
    }
}

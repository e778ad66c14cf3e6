package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.concepts.document.TensorDocumentReader;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/**
 * A codec that recognises its format from the content of a {@link TensorDocument}. The import path
 * reads a file once and asks every codec {@link #accepts}; the formats' predicates exclude each other, so
 * at most one codec accepts any content.
 */
public abstract class DocumentCodec implements EmbeddingCodec {

    private final TensorDocumentReader reader = new TensorDocumentReader();

    /** Whether the content is in this format. Must not throw, whatever the content. */
    public abstract boolean accepts(TensorDocument document);

    /** The embeddings of content this codec {@link #accepts}. */
    protected abstract List<Embedding> decode(TensorDocument document) throws IOException;

    @Override
    public final boolean recognises(Path file) {
        try {
            return accepts(reader.read(file));
        } catch (IOException notATensorFile) {
            return false;
        }
    }

    @Override
    public final List<Embedding> read(Path file) throws IOException {
        return read(reader.read(file));
    }

    /** Reads the embeddings of a document already read, refusing content in another format. */
    public final List<Embedding> read(TensorDocument document) throws IOException {
        if (!accepts(document)) {
            throw new InvalidEmbeddingFileException(document.file(), "is not a " + format() + " file ("
                    + description() + "); it is a " + document.describeContent());
        }
        try {
            return decode(document);
        } catch (InvalidEmbeddingFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidEmbeddingFileException(document.file(), "cannot be read as " + format() + ": "
                    + e.getMessage(), e);
        }
    }
}

package org.neologism.concepts.importing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.neologism.concepts.codec.DocumentCodec;
import org.neologism.concepts.document.TensorDocument;
import org.neologism.concepts.document.TensorDocumentReader;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The registered codecs, and which of them a file's content belongs to. A file is read once; each of our
 * codecs judges the content, and codecs from other bundles are asked about the file itself.
 */
@Component(service = EmbeddingFormats.class)
public final class EmbeddingFormats {

    private final List<EmbeddingCodec> codecs;
    private final TensorDocumentReader reader = new TensorDocumentReader();

    /** A file's content and the codec that reads it. */
    public record Detected(EmbeddingCodec codec, TensorDocument document) {

        public List<Embedding> read() throws IOException {
            return codec instanceof DocumentCodec ours ? ours.read(document) : codec.read(document.file());
        }
    }

    @Activate
    public EmbeddingFormats(@Reference(service = EmbeddingCodec.class, policyOption = ReferencePolicyOption.GREEDY)
            List<EmbeddingCodec> codecs) {
        List<EmbeddingCodec> sorted = new ArrayList<>(codecs);
        sorted.sort(Comparator.comparing(EmbeddingCodec::format));
        this.codecs = List.copyOf(sorted);
    }

    public List<EmbeddingCodec> codecs() {
        return codecs;
    }

    /**
     * The codec for a file, chosen by content.
     *
     * @throws InvalidEmbeddingFileException naming the file when it is unreadable or in no known format
     */
    public Detected detect(Path file) throws IOException {
        TensorDocument document = reader.read(file);
        List<EmbeddingCodec> matches = new ArrayList<>();
        for (EmbeddingCodec codec : codecs) {
            if (codec instanceof DocumentCodec ours ? ours.accepts(document) : codec.recognises(file)) {
                matches.add(codec);
            }
        }
        if (matches.isEmpty()) {
            throw new InvalidEmbeddingFileException(file, "is a " + document.describeContent()
                    + ", which is no embedding format Neologism reads (it reads " + formatNames() + ")");
        }
        if (matches.size() > 1) {
            throw new InvalidEmbeddingFileException(file, "is claimed by several formats ("
                    + matches.stream().map(EmbeddingCodec::format).collect(Collectors.joining(", "))
                    + "); report this file as a bug");
        }
        return new Detected(matches.get(0), document);
    }

    /** The embeddings in a file, whatever its format. */
    public List<Embedding> read(Path file) throws IOException {
        return detect(file).read();
    }

    /**
     * The codec named {@code format}.
     *
     * @throws IllegalArgumentException naming the known formats when there is none by that name
     */
    public EmbeddingCodec codec(String format) {
        return codecs.stream().filter(c -> c.format().equals(format)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown format '" + format + "'; use one of "
                        + formatNames()));
    }

    public String formatNames() {
        return codecs.stream().map(EmbeddingCodec::format).collect(Collectors.joining(", "));
    }
}

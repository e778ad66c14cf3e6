package org.neologism.concepts.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.StoredTensor;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.core.embedding.Embedding;

/** What {@code ti:inspect} prints about a file. */
final class Inspection {

    private final EmbeddingFormats formats;

    Inspection(EmbeddingFormats formats) {
        this.formats = formats;
    }

    void print(Path file, PrintStream out) throws IOException {
        EmbeddingFormats.Detected detected = formats.detect(file);
        List<Embedding> embeddings = detected.read();
        out.println("File       " + file);
        out.println("Container  " + detected.document().container().label());
        out.println("Format     " + detected.codec().format() + " (" + detected.codec().description() + ")");
        for (Map.Entry<String, StoredTensor> tensor : detected.document().tensors().entrySet()) {
            out.println("Tensor     " + (tensor.getKey().isEmpty() ? "(the saved object)" : tensor.getKey()) + ": "
                    + tensor.getValue().dtype() + Arrays.toString(tensor.getValue().shape()));
        }
        for (Embedding embedding : embeddings) {
            out.println("Trigger    " + embedding.trigger()
                    + (embedding.isForOneOfSeveralEncoders() ? " (" + embedding.encoder() + ")" : "")
                    + "  shape " + Arrays.toString(embedding.shape())
                    + "  " + embedding.vectorCount() + " x " + embedding.width());
            for (int i = 0; i < embedding.vectorCount(); i++) {
                out.printf("  vector %d  norm %.6f%n", i, Rows.norm(embedding, i));
            }
        }
    }
}

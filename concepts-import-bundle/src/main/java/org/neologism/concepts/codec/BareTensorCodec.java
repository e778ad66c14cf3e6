package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.concepts.document.TorchCheckpoints;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.osgi.service.component.annotations.Component;

/**
 * A bare tensor saved with {@code torch.save(tensor)}. It names no trigger (diffusers needs {@code token=}),
 * so the trigger is the file name unless the import gives one.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + BareTensorCodec.FORMAT)
public class BareTensorCodec extends DocumentCodec {

    public static final String FORMAT = "bare_tensor_pt";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "a bare PyTorch tensor [d] or [n, d], trigger = file name";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return document.container().isTorch() && EmbeddingTensors.isVectors(document.root());
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return List.of(EmbeddingTensors.toEmbedding(document, "the tensor", document.root(), document.fileStem(),
                FORMAT, Embedding.ONLY_ENCODER));
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        TorchCheckpoints.write(file, EmbeddingTensors.matrix(EmbeddingTensors.single(embeddings, FORMAT)));
    }
}

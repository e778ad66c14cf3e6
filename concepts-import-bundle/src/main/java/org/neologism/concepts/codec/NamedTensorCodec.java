package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.core.embedding.Embedding;

/**
 * A format that stores the vectors under one fixed key, in safetensors or PyTorch, and no trigger: the
 * trigger is the file name, as A1111 and kohya name such embeddings.
 */
abstract class NamedTensorCodec extends DocumentCodec {

    private final String key;

    NamedTensorCodec(String key) {
        this.key = key;
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return EmbeddingTensors.isSingleTensorDict(document.rootMap(), key);
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return List.of(EmbeddingTensors.toEmbedding(document, "'" + key + "'", document.rootMap().get(key),
                document.fileStem(), format(), Embedding.ONLY_ENCODER));
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        TargetContainer.writeMatrices(file, Map.of(key, EmbeddingTensors.single(embeddings, format())));
    }
}

package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.concepts.document.TorchCheckpoints;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.osgi.service.component.annotations.Component;

/**
 * {@code learned_embeds.bin} of sd-concepts-library, InvokeAI and diffusers: a PyTorch file holding
 * {@code {"<token>": Tensor}}. Reads {@code [d]} (sd-concepts, diffusers before 2023-04) and {@code [n, d]}
 * (later diffusers); writes a single vector as {@code [d]}, which every loader reads, InvokeAI 2.3's
 * included, and several vectors as {@code [n, d]}.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + LearnedEmbedsBinCodec.FORMAT)
public class LearnedEmbedsBinCodec extends DocumentCodec {

    public static final String FORMAT = EmbeddingCodec.LEARNED_EMBEDS_BIN;

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "sd-concepts-library / InvokeAI / diffusers learned_embeds.bin: PyTorch {token: Tensor[d] or [n, d]}";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return document.container().isTorch() && TriggerKeys.isTriggerKeyedTensor(document);
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return TriggerKeys.decode(document, FORMAT);
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        Embedding embedding = EmbeddingTensors.single(embeddings, FORMAT);
        TorchCheckpoints.write(file, Map.of(embedding.trigger(), EmbeddingTensors.vectorOrMatrix(embedding)));
    }
}

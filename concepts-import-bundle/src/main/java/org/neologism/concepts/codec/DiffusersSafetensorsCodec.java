package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.neologism.concepts.document.Container;
import org.neologism.concepts.document.TensorDocument;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsWriter;
import org.osgi.service.component.annotations.Component;

/**
 * diffusers' {@code learned_embeds.safetensors} (since 2023-08): {@code {"<token>": F32[n, d]}} with
 * metadata {@code {"format": "pt"}}, which is what {@code save_progress} writes.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + DiffusersSafetensorsCodec.FORMAT)
public class DiffusersSafetensorsCodec extends DocumentCodec {

    public static final String FORMAT = EmbeddingCodec.DIFFUSERS_SAFETENSORS;

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "diffusers learned_embeds.safetensors: {token: F32[n, d]}, metadata format=pt";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return document.container() == Container.SAFETENSORS && TriggerKeys.isTriggerKeyedTensor(document);
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return TriggerKeys.decode(document, FORMAT);
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        Embedding embedding = EmbeddingTensors.single(embeddings, FORMAT);
        new SafetensorsWriter()
                .putMetadata("format", "pt")
                .addFloats(embedding.trigger(), DType.F32, new int[] {embedding.vectorCount(), embedding.width()},
                        embedding.values())
                .write(file);
    }
}

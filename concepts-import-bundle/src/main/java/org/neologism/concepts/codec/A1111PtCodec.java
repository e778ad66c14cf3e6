package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.concepts.document.TorchCheckpoints;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.osgi.service.component.annotations.Component;

/**
 * AUTOMATIC1111's {@code <name>.pt}: {@code string_to_token}, {@code string_to_param}, {@code name},
 * {@code step}, {@code sd_checkpoint}, {@code sd_checkpoint_name}. The trigger is {@code name} (A1111 and
 * diffusers use it), or the file name when it is missing.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + A1111PtCodec.FORMAT)
public class A1111PtCodec extends DocumentCodec {

    public static final String FORMAT = "a1111_pt";
    /** The id of "*" in the CLIP vocabulary, which A1111 writes as the placeholder's token. */
    static final long STAR_TOKEN_ID = 265;

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "AUTOMATIC1111 .pt: {string_to_token, string_to_param: {'*': Tensor[n, d]}, name, step, sd_checkpoint, sd_checkpoint_name}";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return StringToParam.isStringToParam(document) && !StringToParam.isOriginalTextualInversion(document);
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return List.of(EmbeddingTensors.toEmbedding(document, "string_to_param['*']", StringToParam.vectors(document),
                StringToParam.trigger(document), FORMAT, Embedding.ONLY_ENCODER));
    }

    /** Writes what A1111's {@code Embedding.save} does; the step and checkpoint are unknown, so None. */
    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        Embedding embedding = EmbeddingTensors.single(embeddings, FORMAT);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("string_to_token", Map.of("*", STAR_TOKEN_ID));
        content.put("string_to_param", Map.of("*", EmbeddingTensors.matrix(embedding).withRequiresGrad(true)));
        content.put("name", embedding.trigger());
        content.put("step", null);
        content.put("sd_checkpoint", null);
        content.put("sd_checkpoint_name", null);
        TorchCheckpoints.write(file, content);
    }
}

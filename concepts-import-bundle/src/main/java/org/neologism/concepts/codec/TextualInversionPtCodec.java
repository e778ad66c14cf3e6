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
 * The original textual_inversion code's {@code .pt} (rinongal, and early A1111 copies of it):
 * {@code {"string_to_token": {"*": Tensor(265)}, "string_to_param": ParameterDict{"*": Parameter[n, d]}}}.
 * The trigger is the {@code name} entry early A1111 added, else the file name.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + TextualInversionPtCodec.FORMAT)
public class TextualInversionPtCodec extends DocumentCodec {

    public static final String FORMAT = "textual_inversion_pt";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "original textual_inversion .pt: {string_to_token: {'*': Tensor}, string_to_param: ParameterDict{'*': Parameter[n, d]}}";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        return StringToParam.isStringToParam(document) && StringToParam.isOriginalTextualInversion(document);
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        return List.of(EmbeddingTensors.toEmbedding(document, "string_to_param['*']", StringToParam.vectors(document),
                StringToParam.trigger(document), FORMAT, Embedding.ONLY_ENCODER));
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        Embedding embedding = EmbeddingTensors.single(embeddings, FORMAT);
        TorchCheckpoints.writeOriginalTextualInversion(file, A1111PtCodec.STAR_TOKEN_ID,
                EmbeddingTensors.matrix(embedding), embedding.trigger());
    }
}

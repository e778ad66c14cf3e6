package org.neologism.concepts.codec;

import org.neologism.core.embedding.EmbeddingCodec;
import org.osgi.service.component.annotations.Component;

/**
 * kohya sd-scripts and A1111's safetensors export: {@code {"emb_params": Tensor[n, d]}}. diffusers 0.25
 * takes "emb_params" for the token name; we take the file name, as A1111 and kohya do.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + KohyaEmbParamsCodec.FORMAT)
public class KohyaEmbParamsCodec extends NamedTensorCodec {

    public static final String FORMAT = "kohya_emb_params";

    public KohyaEmbParamsCodec() {
        super("emb_params");
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "kohya sd-scripts / A1111 safetensors: {emb_params: Tensor[n, d]}, trigger = file name"
                + " (.pt/.bin/.ckpt destination: PyTorch, else safetensors)";
    }
}

package org.neologism.concepts.codec;

import org.neologism.core.embedding.EmbeddingCodec;
import org.osgi.service.component.annotations.Component;

/** OneTrainer's SD 1.x/2.x embeddings: {@code {"emp_params": Tensor[n, d]}} (sic), trigger = file name. */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + OneTrainerCodec.FORMAT)
public class OneTrainerCodec extends NamedTensorCodec {

    public static final String FORMAT = "onetrainer_emp_params";

    public OneTrainerCodec() {
        super("emp_params");
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "OneTrainer: {emp_params: Tensor[n, d]}, trigger = file name"
                + " (.pt/.bin/.ckpt destination: PyTorch, else safetensors)";
    }
}

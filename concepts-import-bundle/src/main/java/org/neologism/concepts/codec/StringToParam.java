package org.neologism.concepts.codec;

import java.util.Map;

import org.neologism.concepts.document.StoredTensor;
import org.neologism.concepts.document.TensorDocument;

/**
 * The dict layout of the original textual_inversion code, which AUTOMATIC1111 kept:
 * {@code {"string_to_token": {"*": id}, "string_to_param": {"*": Tensor[n, d]}, ...}}. The two producers
 * differ in what the values are: A1111 stores an int id and a plain tensor, the original code a tensor id
 * and a {@code ParameterDict} of {@code Parameter}s.
 */
final class StringToParam {

    private static final String PLACEHOLDER = "*";

    private StringToParam() {
    }

    /** The vectors of a string_to_param dict: the {@code "*"} entry, or its only entry. */
    static Object vectors(TensorDocument document) {
        Map<?, ?> root = document.rootMap();
        if (root == null || !(root.get("string_to_param") instanceof Map<?, ?> params)) {
            return null;
        }
        if (params.containsKey(PLACEHOLDER)) {
            return params.get(PLACEHOLDER);
        }
        return params.size() == 1 ? params.values().iterator().next() : null;
    }

    static boolean isStringToParam(TensorDocument document) {
        return document.container().isTorch() && EmbeddingTensors.isVectors(vectors(document));
    }

    /** Whether the file was saved by the original textual_inversion code rather than by A1111. */
    static boolean isOriginalTextualInversion(TensorDocument document) {
        boolean parameter = vectors(document) instanceof StoredTensor tensor && tensor.parameter();
        boolean tensorTokenId = document.rootMap().get("string_to_token") instanceof Map<?, ?> tokens
                && tokens.get(PLACEHOLDER) instanceof StoredTensor;
        return parameter || tensorTokenId;
    }

    /** The {@code name} the file gives its embedding, else the file name, as A1111 and diffusers do. */
    static String trigger(TensorDocument document) {
        return document.rootMap().get("name") instanceof String name && !name.isBlank() ? name : document.fileStem();
    }
}

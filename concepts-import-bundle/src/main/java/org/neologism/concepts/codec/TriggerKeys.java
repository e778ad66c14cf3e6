package org.neologism.concepts.codec;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.core.embedding.Embedding;

/**
 * The sd-concepts / diffusers layout {@code {"<token>": Tensor}}: one dict entry whose key is the trigger.
 * Keys that other formats use ({@code emb_params}, {@code clip_l}, ...) are not triggers, so a file
 * holding only {@code emb_params} is kohya's, not a token called "emb_params" as diffusers 0.25 takes it.
 */
final class TriggerKeys {

    private TriggerKeys() {
    }

    static boolean isTriggerKeyedTensor(TensorDocument document) {
        Map<?, ?> map = document.rootMap();
        if (map == null || map.size() != 1) {
            return false;
        }
        Map.Entry<?, ?> only = map.entrySet().iterator().next();
        return only.getKey() instanceof String key && !EmbeddingTensors.RESERVED_KEYS.contains(key)
                && EmbeddingTensors.isVectors(only.getValue());
    }

    static String trigger(TensorDocument document) {
        return (String) document.rootMap().keySet().iterator().next();
    }

    /** The one embedding of a trigger-keyed document, whichever container holds it. */
    static List<Embedding> decode(TensorDocument document, String format) throws IOException {
        String trigger = trigger(document);
        return List.of(EmbeddingTensors.toEmbedding(document, "'" + trigger + "'", document.rootMap().get(trigger),
                trigger, format, Embedding.ONLY_ENCODER));
    }
}

package org.neologism.concepts.document;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A short description of a saved object, e.g. {@code dict {emb_params: F32[2, 768]}}. */
final class ContentSummary {

    private static final int MAX_KEYS = 6;

    private ContentSummary() {
    }

    static String of(Object value) {
        if (value instanceof Map<?, ?> map) {
            String keys = map.entrySet().stream().limit(MAX_KEYS)
                    .map(e -> e.getKey() + ": " + brief(e.getValue()))
                    .collect(Collectors.joining(", "));
            return "dict {" + keys + (map.size() > MAX_KEYS ? ", ..." : "") + "}";
        }
        return brief(value);
    }

    private static String brief(Object value) {
        if (value instanceof StoredTensor tensor) {
            return tensor.toString();
        }
        if (value instanceof Map<?, ?> map) {
            return "dict of " + map.size();
        }
        if (value instanceof List<?> list) {
            return "list of " + list.size();
        }
        if (value instanceof String text) {
            return "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
        }
        return String.valueOf(value);
    }
}

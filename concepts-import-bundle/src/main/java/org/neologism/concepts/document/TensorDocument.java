package org.neologism.concepts.document;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The content of a tensor file, whatever its container: the saved object (for safetensors a map of
 * names to tensors) built from plain Java values, so codecs recognise formats by content alone.
 *
 * <p>The object tree holds {@link Map} (insertion-ordered, for Python dicts and {@code OrderedDict}s),
 * {@link List} (lists and tuples), {@link String}, {@link Long}, {@link Double}, {@link Boolean},
 * {@code null} (None) and {@link StoredTensor}; a {@code torch.nn.ParameterDict} arrives as the map of its
 * parameters, whose tensors say they were parameters.
 *
 * @param file      the file it was read from, for messages
 * @param container how it was stored
 * @param root      the saved object
 * @param metadata  safetensors {@code __metadata__} (empty for PyTorch files)
 */
public record TensorDocument(Path file, Container container, Object root, Map<String, String> metadata) {

    public TensorDocument {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(container, "container");
        metadata = Map.copyOf(metadata);
    }

    /** The root as a dict, or null when the file saved something else. */
    public Map<?, ?> rootMap() {
        return root instanceof Map<?, ?> map ? map : null;
    }

    /**
     * Every tensor in the saved object by its path of dict keys joined with {@code /}, e.g.
     * {@code string_to_param/*}; a bare tensor's path is empty. Lists contribute their indices.
     */
    public Map<String, StoredTensor> tensors() {
        Map<String, StoredTensor> found = new LinkedHashMap<>();
        Deque<Map.Entry<String, Object>> pending = new ArrayDeque<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.push(new AbstractMap.SimpleEntry<>("", root));
        // depth-first without recursion, each container once: a hostile file may nest deeply or loop
        while (!pending.isEmpty()) {
            Map.Entry<String, Object> next = pending.pop();
            String path = next.getKey();
            Object value = next.getValue();
            if ((value instanceof Map<?, ?> || value instanceof List<?>) && !seen.add(value)) {
                continue;
            }
            String prefix = path.isEmpty() ? "" : path + "/";
            if (value instanceof StoredTensor tensor) {
                found.put(path, tensor);
            } else if (value instanceof Map<?, ?> map) {
                List<Map.Entry<String, Object>> children = new ArrayList<>();
                map.forEach((k, v) -> children.add(new AbstractMap.SimpleEntry<>(prefix + k, v)));
                Collections.reverse(children);
                children.forEach(pending::push);
            } else if (value instanceof List<?> list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    pending.push(new AbstractMap.SimpleEntry<>(prefix + i, list.get(i)));
                }
            }
        }
        return found;
    }

    /** The file name without its extension: the trigger of formats that store none. */
    public String fileStem() {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** What the file holds, in a few words, for messages about files no codec recognises. */
    public String describeContent() {
        return container.label() + " file holding " + ContentSummary.of(root);
    }
}

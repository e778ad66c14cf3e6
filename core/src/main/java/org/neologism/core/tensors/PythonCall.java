package org.neologism.core.tensors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Python value that unpickling rebuilds by calling {@code module.name(*args)} (pickle's REDUCE), then
 * filling it with {@code items} as a dict: {@code collections.OrderedDict()}, {@code builtins.set([])},
 * {@code torch._utils._rebuild_parameter(tensor, True, OrderedDict())}. Only for writing: the reader
 * accepts just the globals a tensor file needs.
 *
 * @param items entries set on the result after the call, in order (empty for most calls)
 */
public record PythonCall(String module, String name, List<Object> args, Map<Object, Object> items) {

    public PythonCall {
        args = List.copyOf(args);
        items = new LinkedHashMap<>(items);
    }

    /** {@code collections.OrderedDict()} with the given entries. */
    public static PythonCall orderedDict(Map<?, ?> entries) {
        return new PythonCall("collections", "OrderedDict", List.of(), new LinkedHashMap<>(entries));
    }

    @Override
    public Map<Object, Object> items() {
        return new LinkedHashMap<>(items);
    }
}

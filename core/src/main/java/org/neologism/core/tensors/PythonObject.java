package org.neologism.core.tensors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of the class {@code module.name} as pickle protocol 2 stores a plain object: created
 * without arguments (NEWOBJ), then given its {@code __dict__} (BUILD). This is how {@code torch.save}
 * writes an {@code nn.Module} such as the {@code ParameterDict} of the original textual-inversion files.
 * Only for writing.
 *
 * @param state the instance's attributes, in the order they are written
 */
public record PythonObject(String module, String name, Map<String, Object> state) {

    public PythonObject {
        state = new LinkedHashMap<>(state);
    }

    @Override
    public Map<String, Object> state() {
        return new LinkedHashMap<>(state);
    }
}

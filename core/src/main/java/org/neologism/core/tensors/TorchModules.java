package org.neologism.core.tensors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch objects embedding files contain, laid out as {@code torch.save} (torch 1.13) pickles them,
 * for {@link TorchCheckpointWriter}.
 */
public final class TorchModules {

    private TorchModules() {}

    /** {@code torch.nn.Parameter(tensor)}: {@code _rebuild_parameter(tensor, True, OrderedDict())}. */
    public static PythonCall parameter(TensorData tensor) {
        return new PythonCall("torch._utils", "_rebuild_parameter",
                List.of(tensor.withRequiresGrad(false), true, PythonCall.orderedDict(Map.of())), Map.of());
    }

    /**
     * {@code torch.nn.ParameterDict} of the given tensors, as the original textual-inversion code saved
     * its {@code string_to_param}: an {@code nn.Module} whose state lists every attribute torch 1.13
     * gives a module (torch 2 fills in the ones it added when it loads).
     */
    public static PythonObject parameterDict(Map<String, TensorData> tensors) {
        Map<Object, Object> parameters = new LinkedHashMap<>();
        Map<Object, Object> keys = new LinkedHashMap<>();
        tensors.forEach((key, tensor) -> {
            parameters.put(key, parameter(tensor));
            keys.put(key, null);
        });
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("training", true);
        state.put("_parameters", PythonCall.orderedDict(parameters));
        state.put("_buffers", PythonCall.orderedDict(Map.of()));
        state.put("_non_persistent_buffers_set", new PythonCall("__builtin__", "set", List.of(List.of()), Map.of()));
        state.put("_backward_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_is_full_backward_hook", null);
        state.put("_forward_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_forward_pre_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_state_dict_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_load_state_dict_pre_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_load_state_dict_post_hooks", PythonCall.orderedDict(Map.of()));
        state.put("_modules", PythonCall.orderedDict(Map.of()));
        state.put("_keys", keys);
        return new PythonObject("torch.nn.modules.container", "ParameterDict", state);
    }
}

package org.neologism.core.tensors.internal;

import java.util.Map;

import org.neologism.core.tensors.DType;

/**
 * A Python global that a tensor pickle may name. Only these are ever resolved; any other name is refused,
 * which is what keeps a malicious checkpoint from naming {@code os.system} or {@code builtins.eval}.
 * Nothing is executed: each global is interpreted by {@link RestrictedUnpickler} as plain data.
 */
public enum PythonGlobal {
    REBUILD_TENSOR("torch._utils", "_rebuild_tensor"),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
    REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state"),
    REBUILD_FROM_TYPE_V2("torch._tensor", "_rebuild_from_type_v2"),
    TENSOR("torch", "Tensor"),
    SIZE("torch", "Size"),
    PARAMETER("torch.nn.parameter", "Parameter"),
    PARAMETER_DICT("torch.nn.modules.container", "ParameterDict"),
    ORDERED_DICT("collections", "OrderedDict"),
    SET("builtins", "set"),
    FROZENSET("builtins", "frozenset"),
    /** Protocol 2 spells Python 3 {@code bytes} as {@code _codecs.encode(text, 'latin1')}. */
    CODECS_ENCODE("_codecs", "encode"),
    STORAGE("torch", "*Storage");

    /** Storage classes and the element type each holds. */
    static final Map<String, DType> STORAGE_TYPES = Map.of(
            "DoubleStorage", DType.F64,
            "FloatStorage", DType.F32,
            "HalfStorage", DType.F16,
            "BFloat16Storage", DType.BF16,
            "LongStorage", DType.I64,
            "IntStorage", DType.I32,
            "ShortStorage", DType.I16,
            "CharStorage", DType.I8,
            "ByteStorage", DType.U8,
            "BoolStorage", DType.BOOL);

    private final String module;
    private final String name;

    PythonGlobal(String module, String name) {
        this.module = module;
        this.name = name;
    }

    public String qualifiedName() {
        return module + "." + name;
    }

    /**
     * The global {@code module.name}, or a refusal naming it. Python 2 spellings that protocol 2 pickles use
     * ({@code __builtin__}) are accepted for the same builtins.
     */
    static Object resolve(String module, String name) {
        String canonicalModule = module.equals("__builtin__") ? "builtins" : module;
        if (canonicalModule.equals("torch") && STORAGE_TYPES.containsKey(name)) {
            return new StorageClass(name, STORAGE_TYPES.get(name));
        }
        for (PythonGlobal allowed : values()) {
            if (allowed != STORAGE && allowed.module.equals(canonicalModule) && allowed.name.equals(name)) {
                return allowed;
            }
        }
        throw new PickleRefusal("refused global " + shorten(module) + "." + shorten(name)
                + ": tensor files need only torch rebuild functions, storage classes and containers,"
                + " and loading anything else could run code");
    }

    private static String shorten(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "...";
    }

    /** A storage class such as {@code torch.FloatStorage}. */
    record StorageClass(String name, DType dtype) {
    }
}

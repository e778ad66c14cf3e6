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
     * Python 2 module names that protocol 0–2 pickles carry, as Python 3's unpickler maps them
     * ({@code _compat_pickle.IMPORT_MAPPING}, the entries a tensor file or an attack would use).
     */
    private static final Map<String, String> PYTHON3_MODULES = Map.of(
            "__builtin__", "builtins",
            "exceptions", "builtins",
            "copy_reg", "copyreg",
            "commands", "subprocess",
            "cPickle", "pickle",
            "cStringIO", "io",
            "StringIO", "io",
            "UserDict", "collections",
            "Queue", "queue");

    /** Python 2 builtins that moved or were renamed ({@code _compat_pickle.NAME_MAPPING}). */
    private static final Map<String, String> PYTHON3_BUILTINS = Map.of(
            "xrange", "builtins.range",
            "unicode", "builtins.str",
            "basestring", "builtins.str",
            "long", "builtins.int",
            "unichr", "builtins.chr",
            "raw_input", "builtins.input",
            "reduce", "functools.reduce",
            "intern", "sys.intern");

    /**
     * The global {@code module.name}, or a refusal naming it as Python 3 does ({@code builtins.eval} for
     * the {@code __builtin__ eval} that protocol 2 pickles spell). The Python 2 spellings are accepted for
     * the same allowed builtins.
     */
    static Object resolve(String module, String name) {
        String python3 = python3Name(module, name);
        int dot = python3.lastIndexOf('.');
        String canonicalModule = python3.substring(0, dot);
        String canonicalName = python3.substring(dot + 1);
        if (canonicalModule.equals("torch") && STORAGE_TYPES.containsKey(canonicalName)) {
            return new StorageClass(canonicalName, STORAGE_TYPES.get(canonicalName));
        }
        for (PythonGlobal allowed : values()) {
            if (allowed != STORAGE && allowed.module.equals(canonicalModule) && allowed.name.equals(canonicalName)) {
                return allowed;
            }
        }
        throw new PickleRefusal("refused global " + shorten(python3)
                + ": tensor files need only torch rebuild functions, storage classes and containers,"
                + " and loading anything else could run code");
    }

    /** {@code module.name} as Python 3 imports it. */
    static String python3Name(String module, String name) {
        if (module.equals("__builtin__") && PYTHON3_BUILTINS.containsKey(name)) {
            return PYTHON3_BUILTINS.get(name);
        }
        return PYTHON3_MODULES.getOrDefault(module, module) + "." + name;
    }

    private static String shorten(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 160 ? printable : printable.substring(0, 160) + "...";
    }

    /** A storage class such as {@code torch.FloatStorage}. */
    record StorageClass(String name, DType dtype) {
    }
}

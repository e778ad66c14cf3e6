package org.neologism.core.tensors.internal;

import java.util.List;

import org.neologism.core.tensors.PickledTensor;
import org.neologism.core.tensors.TorchStorage;

/**
 * The data meaning of the torch functions a tensor pickle calls, checked argument by argument:
 * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)},
 * {@code _rebuild_parameter(data, requires_grad, backward_hooks)} and the storage persistent id.
 */
public final class TorchRebuild {

    /** More dimensions than any real tensor has; also bounds the work per rebuild call. */
    static final int MAX_RANK = 64;

    private TorchRebuild() {
    }

    /**
     * Parses {@code ('storage', torch.FloatStorage, key, location, numel[, view_metadata])}; the sixth
     * element appears in legacy files only.
     */
    /** Whether a persistent id is the legacy format's {@code ('module', class, source_file, source)}. */
    static boolean isModuleSource(Object persistentId) {
        return persistentId instanceof List<?> id && !id.isEmpty() && "module".equals(id.get(0));
    }

    /**
     * The class of a legacy {@code ('module', class, source_file, source)} persistent id, as
     * {@code torch.load} returns it: torch only compares the source with the installed one, and so
     * does nothing here with it. The class itself went through the global allowlist already; of the
     * allowed names only {@code nn.ParameterDict} is a module.
     */
    static Object moduleClass(Object persistentId) {
        List<?> id = (List<?>) persistentId;
        if (id.size() != 4) {
            throw new PickleRefusal("persistent id is not a ('module', class, source_file, source) tuple");
        }
        if (id.get(1) != PythonGlobal.PARAMETER_DICT) {
            throw new PickleRefusal("persistent id names module class " + RestrictedUnpickler.typeName(id.get(1))
                    + "; tensor files hold only torch.nn.modules.container.ParameterDict");
        }
        for (int i = 2; i < 4; i++) {
            if (id.get(i) != null && !(id.get(i) instanceof String)) {
                throw new PickleRefusal("module source of a persistent id is a " + RestrictedUnpickler.typeName(id.get(i))
                        + ", not text");
            }
        }
        return id.get(1);
    }

    public static StorageView storage(Object persistentId) {
        if (!(persistentId instanceof List<?> id) || id.size() < 5 || id.size() > 6 || !"storage".equals(id.get(0))) {
            throw new PickleRefusal("persistent id is not a ('storage', type, key, location, size) tuple");
        }
        if (!(id.get(1) instanceof PythonGlobal.StorageClass type)) {
            throw new PickleRefusal("persistent id names " + RestrictedUnpickler.typeName(id.get(1))
                    + " instead of a storage class such as torch.FloatStorage");
        }
        String key = text(id.get(2), "storage key");
        String location = text(id.get(3), "storage location");
        long numel = nonNegative(id.get(4), "storage size");
        TorchStorage storage = new TorchStorage(key, type.dtype(), location, numel);
        Object view = id.size() == 6 ? id.get(5) : null;
        if (view == null) {
            return new StorageView(storage, 0, numel);
        }
        if (!(view instanceof List<?> metadata) || metadata.size() != 3) {
            throw new PickleRefusal("storage view metadata is not a (key, offset, size) tuple");
        }
        long offset = nonNegative(metadata.get(1), "storage view offset");
        long size = nonNegative(metadata.get(2), "storage view size");
        if (offset > numel || size > numel - offset) {
            throw new PickleRefusal("storage view [" + offset + ", +" + size + ") lies outside storage '" + key
                    + "' of " + numel + " elements");
        }
        return new StorageView(storage, offset, size);
    }

    /** {@code _rebuild_tensor(storage, offset, size, stride)} and {@code _rebuild_tensor_v2(..., requires_grad, hooks[, metadata])}. */
    static PickledTensor tensor(String function, List<Object> args) {
        boolean v2 = function.endsWith("_v2");
        if (v2 ? args.size() < 6 || args.size() > 7 : args.size() != 4) {
            throw new PickleRefusal(function + " expects (storage, storage_offset, size, stride"
                    + (v2 ? ", requires_grad, backward_hooks)" : ")") + ", got " + args.size() + " arguments");
        }
        if (!(args.get(0) instanceof StorageView view)) {
            throw new PickleRefusal(function + " needs a storage, got a " + RestrictedUnpickler.typeName(args.get(0)));
        }
        long offset = nonNegative(args.get(1), "storage_offset");
        long[] shape = dims(args.get(2), "size");
        long[] stride = dims(args.get(3), "stride");
        if (shape.length != stride.length) {
            throw new PickleRefusal("tensor size has " + shape.length + " dimensions but stride has " + stride.length);
        }
        boolean requiresGrad = v2 && flag(args.get(4), "requires_grad");
        checkWithinStorage(view, offset, shape, stride);
        return new PickledTensor(view.storage(), view.elementOffset() + offset, shape, stride, requiresGrad, false);
    }

    /**
     * {@code _rebuild_parameter(data, requires_grad, hooks)}, {@code _rebuild_parameter_with_state(data,
     * requires_grad, hooks, state)} and {@code Parameter(data[, requires_grad])}.
     */
    static PickledTensor parameter(PythonGlobal function, List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof PickledTensor data)) {
            throw new PickleRefusal(function.qualifiedName() + " needs a tensor as its first argument");
        }
        boolean requiresGrad = args.size() < 2 || flag(args.get(1), "requires_grad");
        return data.asParameter(requiresGrad);
    }

    private static void checkWithinStorage(StorageView view, long offset, long[] shape, long[] stride) {
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 0) {
                    return; // an empty tensor touches no element
                }
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        } catch (ArithmeticException overflow) {
            throw new PickleRefusal("tensor extent overflows 64 bits");
        }
        if (last >= view.elementCount()) {
            throw new PickleRefusal("tensor reaches element " + last + " of storage '" + view.storage().key()
                    + "', which holds " + view.elementCount() + " elements");
        }
    }

    private static long[] dims(Object value, String what) {
        if (!(value instanceof List<?> items)) {
            throw new PickleRefusal("tensor " + what + " is a " + RestrictedUnpickler.typeName(value) + ", not a tuple");
        }
        if (items.size() > MAX_RANK) {
            throw new PickleRefusal("tensor " + what + " has " + items.size() + " dimensions, more than " + MAX_RANK);
        }
        long[] dims = new long[items.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = nonNegative(items.get(i), what);
        }
        return dims;
    }

    private static long nonNegative(Object value, String what) {
        if (!(value instanceof Long number) || number < 0) {
            throw new PickleRefusal(what + " is " + describe(value) + ", not a non-negative integer");
        }
        return number;
    }

    private static boolean flag(Object value, String what) {
        if (!(value instanceof Boolean bool)) {
            throw new PickleRefusal(what + " is " + describe(value) + ", not a bool");
        }
        return bool;
    }

    private static String text(Object value, String what) {
        if (!(value instanceof String string)) {
            throw new PickleRefusal(what + " is " + describe(value) + ", not a string");
        }
        return string;
    }

    private static String describe(Object value) {
        return value instanceof Long || value instanceof Boolean ? String.valueOf(value)
                : "a " + RestrictedUnpickler.typeName(value);
    }
}

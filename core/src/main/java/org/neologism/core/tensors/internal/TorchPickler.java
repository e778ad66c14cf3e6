package org.neologism.core.tensors.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.PythonCall;
import org.neologism.core.tensors.PythonObject;
import org.neologism.core.tensors.TensorData;

/**
 * Pickles a Java value tree in protocol 2 exactly as {@code torch.save} does: the same opcodes, memo
 * numbering and batching as CPython's pickler, tensors as {@code torch._utils._rebuild_tensor_v2} over a
 * storage persistent id. Each distinct {@link TensorData} gets its own storage, keyed "0", "1", ... in
 * order of appearance.
 */
public final class TorchPickler {

    private static final int BATCH = 1000;
    private static final Map<DType, String> STORAGE_CLASSES = Map.of(
            DType.F64, "DoubleStorage", DType.F32, "FloatStorage", DType.F16, "HalfStorage",
            DType.BF16, "BFloat16Storage", DType.I64, "LongStorage", DType.I32, "IntStorage",
            DType.I16, "ShortStorage", DType.I8, "CharStorage", DType.U8, "ByteStorage", DType.BOOL, "BoolStorage");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Object, Integer> memoByIdentity = new IdentityHashMap<>();
    private final Map<String, Integer> memoByValue = new HashMap<>();
    private final Map<TensorData, String> storageKeys = new IdentityHashMap<>();
    private final List<TensorData> storages = new ArrayList<>();
    private int memoSize;
    private int depth;

    /** The pickle of {@code root}; afterwards {@link #storages()} lists the tensors in key order. */
    public byte[] pickle(Object root) {
        out.write(0x80);
        out.write(2);
        save(root);
        out.write('.');
        return out.toByteArray();
    }

    /** The storages to write as {@code data/0}, {@code data/1}, ... */
    public List<TensorData> storages() {
        return List.copyOf(storages);
    }

    private void save(Object value) {
        if (++depth > 200) {
            throw new IllegalArgumentException("values nest deeper than 200 levels (or contain themselves)");
        }
        try {
            saveValue(value);
        } finally {
            depth--;
        }
    }

    private void saveValue(Object value) {
        if (value == null) {
            out.write('N');
        } else if (value instanceof Boolean bool) {
            out.write(bool ? 0x88 : 0x89);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            saveInt(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            saveBigInteger(big);
        } else if (value instanceof Double || value instanceof Float) {
            out.write('G');
            writeBigEndianLong(Double.doubleToRawLongBits(((Number) value).doubleValue()));
        } else if (value instanceof String text) {
            saveString(text);
        } else if (value instanceof TensorData tensor) {
            saveTensor(tensor);
        } else if (value instanceof PythonCall call) {
            saveCall(call);
        } else if (value instanceof PythonObject object) {
            saveObject(object);
        } else if (value instanceof Map<?, ?> map) {
            saveDict(map);
        } else if (value instanceof List<?> list) {
            saveList(list);
        } else {
            throw new IllegalArgumentException("cannot pickle a " + value.getClass().getName()
                    + "; use Map, List, String, Long, Double, Boolean, null, TensorData, PythonCall or PythonObject");
        }
    }

    private void saveDict(Map<?, ?> map) {
        if (memoGet(map)) {
            return;
        }
        out.write('}');
        memoize(map);
        saveItems(map);
    }

    /** GLOBAL, the arguments as a tuple, REDUCE, then the items as SETITEM(S): CPython's save_reduce. */
    private void saveCall(PythonCall call) {
        if (memoGet(call)) {
            return;
        }
        saveGlobal(call.module(), call.name());
        saveObjectTuple(call.args());
        out.write('R');
        memoize(call);
        saveItems(call.items());
    }

    /** GLOBAL, an empty tuple, NEWOBJ, then the instance's state and BUILD: copyreg.__newobj__. */
    private void saveObject(PythonObject object) {
        if (memoGet(object)) {
            return;
        }
        saveGlobal(object.module(), object.name());
        out.write(')');
        out.write(0x81);
        memoize(object);
        save(object.state());
        out.write('b');
    }

    private void saveObjectTuple(List<Object> items) {
        if (items.isEmpty()) {
            out.write(')');
            return; // CPython does not memoize the empty tuple
        }
        if (items.size() <= 3) {
            for (Object item : items) {
                save(item);
            }
            out.write(0x85 + items.size() - 1);
        } else {
            out.write('(');
            for (Object item : items) {
                save(item);
            }
            out.write('t');
        }
        memoize(new Object());
    }

    /** A dict's entries in batches, as CPython's _batch_setitems writes them. */
    private void saveItems(Map<?, ?> map) {
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        for (int start = 0; start < entries.size(); start += BATCH) {
            List<Map.Entry<?, ?>> batch = entries.subList(start, Math.min(entries.size(), start + BATCH));
            if (batch.size() == 1) {
                save(batch.get(0).getKey());
                save(batch.get(0).getValue());
                out.write('s');
            } else {
                out.write('(');
                for (Map.Entry<?, ?> entry : batch) {
                    save(entry.getKey());
                    save(entry.getValue());
                }
                out.write('u');
            }
        }
    }

    private void saveList(List<?> list) {
        if (memoGet(list)) {
            return;
        }
        out.write(']');
        memoize(list);
        for (int start = 0; start < list.size(); start += BATCH) {
            List<?> batch = list.subList(start, Math.min(list.size(), start + BATCH));
            if (batch.size() == 1) {
                save(batch.get(0));
                out.write('a');
            } else {
                out.write('(');
                for (Object item : batch) {
                    save(item);
                }
                out.write('e');
            }
        }
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, requires_grad, OrderedDict())}, contiguous. */
    private void saveTensor(TensorData tensor) {
        if (memoGet(tensor)) {
            return;
        }
        String key = storageKeys.computeIfAbsent(tensor, t -> {
            storages.add(t);
            return Integer.toString(storages.size() - 1);
        });
        int[] shape = tensor.shape();
        long[] stride = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = step;
            step *= shape[i];
        }
        saveGlobal("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        // the persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
        out.write('(');
        saveString("storage");
        saveGlobal("torch", STORAGE_CLASSES.get(tensor.dtype()));
        saveString(key);
        saveString("cpu");
        saveInt(tensor.elementCount());
        out.write('t');
        memoize(new Object());
        out.write('Q');
        saveInt(0);
        saveTuple(java.util.Arrays.stream(shape).asLongStream().toArray());
        saveTuple(stride);
        out.write(tensor.requiresGrad() ? 0x88 : 0x89);
        saveGlobal("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        memoize(new Object());
        out.write('t');
        memoize(new Object());
        out.write('R');
        memoize(tensor);
    }

    private void saveTuple(long[] items) {
        if (items.length == 0) {
            out.write(')');
            return; // CPython does not memoize the empty tuple
        }
        if (items.length <= 3) {
            for (long item : items) {
                saveInt(item);
            }
            out.write(0x85 + items.length - 1);
        } else {
            out.write('(');
            for (long item : items) {
                saveInt(item);
            }
            out.write('t');
        }
        memoize(new Object());
    }

    private void saveGlobal(String module, String name) {
        String qualified = module + "\n" + name + "\n";
        Integer index = memoByValue.get("global:" + qualified);
        if (index != null) {
            writeGet(index);
            return;
        }
        out.write('c');
        out.writeBytes(qualified.getBytes(StandardCharsets.US_ASCII));
        memoByValue.put("global:" + qualified, memoSize);
        writePut(memoSize++);
    }

    private void saveString(String text) {
        Integer index = memoByValue.get("str:" + text);
        if (index != null) {
            writeGet(index);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        writeLittleEndianInt(utf8.length);
        out.writeBytes(utf8);
        memoByValue.put("str:" + text, memoSize);
        writePut(memoSize++);
    }

    private void saveInt(long value) {
        if (value >= 0 && value <= 0xff) {
            out.write('K');
            out.write((int) value);
        } else if (value >= 0 && value <= 0xffff) {
            out.write('M');
            out.write((int) value & 0xff);
            out.write((int) (value >>> 8) & 0xff);
        } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            out.write('J');
            writeLittleEndianInt((int) value);
        } else {
            saveBigInteger(BigInteger.valueOf(value));
        }
    }

    /** LONG1: the two's-complement little-endian bytes, as short as possible. */
    private void saveBigInteger(BigInteger value) {
        if (value.bitLength() < 32) {
            saveInt(value.longValue());
            return;
        }
        byte[] bigEndian = value.toByteArray();
        if (bigEndian.length > 255) {
            throw new IllegalArgumentException("integer too large to pickle: " + value.bitLength() + " bits");
        }
        out.write(0x8a);
        out.write(bigEndian.length);
        for (int i = bigEndian.length - 1; i >= 0; i--) {
            out.write(bigEndian[i]);
        }
    }

    private boolean memoGet(Object value) {
        Integer index = memoByIdentity.get(value);
        if (index == null) {
            return false;
        }
        writeGet(index);
        return true;
    }

    private void memoize(Object value) {
        memoByIdentity.put(value, memoSize);
        writePut(memoSize++);
    }

    private void writePut(int index) {
        if (index < 256) {
            out.write('q');
            out.write(index);
        } else {
            out.write('r');
            writeLittleEndianInt(index);
        }
    }

    private void writeGet(int index) {
        if (index < 256) {
            out.write('h');
            out.write(index);
        } else {
            out.write('j');
            writeLittleEndianInt(index);
        }
    }

    private void writeLittleEndianInt(int value) {
        out.write(value & 0xff);
        out.write((value >>> 8) & 0xff);
        out.write((value >>> 16) & 0xff);
        out.write((value >>> 24) & 0xff);
    }

    private void writeBigEndianLong(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift) & 0xff);
        }
    }
}

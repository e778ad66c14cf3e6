package org.neologism.core.tensors.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neologism.core.tensors.MalformedTensorFileException;
import org.neologism.core.tensors.PickledTensor;

/**
 * A pickle reader for tensor files that never executes anything. It interprets the opcodes
 * {@code torch.save} emits (protocols 2 to 5, plus the text opcodes of protocol 0/1 for integers, floats and
 * memo keys) as a stack machine without recursion, so nesting cannot overflow the Java stack. Globals
 * are limited to {@link PythonGlobal}; every other global is refused by name.
 *
 * <p>Python values become: {@code dict}/{@code OrderedDict} a {@link LinkedHashMap} (in insertion order),
 * {@code list} an {@link ArrayList}, tuple an unmodifiable {@link List}, {@code set} a
 * {@link LinkedHashSet}, {@code str} {@link String}, {@code int} {@link Long} (or {@link BigInteger} beyond
 * 64 bits), {@code float} {@link Double}, {@code bool} {@link Boolean}, {@code bytes} {@code byte[]},
 * {@code None} {@code null}, tensors {@link PickledTensor}, and a {@code torch.nn.ParameterDict} the map of
 * its parameters.
 */
public final class RestrictedUnpickler {

    /** Turns a persistent id (a tuple naming a storage) into the object it stands for. */
    @FunctionalInterface
    public interface PersistentLoader {
        Object load(Object persistentId);
    }

    private static final int MAX_LINE = 4096;
    private static final int MAX_LONG_BYTES = 1024;
    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final Path file;
    private final String what;
    private final ByteBuffer in;
    private final PersistentLoader persistentLoader;

    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /**
     * Elements copied out of existing containers. Copies are the one way a few bytes (a memo GET and a
     * REDUCE) can allocate a lot, so their total is capped relative to the input size.
     */
    private long copyBudget;
    /** ParameterDict objects created by NEWOBJ, filled with their parameters by BUILD. */
    private final Set<Object> parameterDicts = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param file             named in error messages
     * @param what             what is being read, e.g. {@code archive/data.pkl}, for error messages
     * @param in               the pickle bytes from the buffer's position; the position advances past STOP
     * @param persistentLoader resolves persistent ids (storages)
     */
    public RestrictedUnpickler(Path file, String what, ByteBuffer in, PersistentLoader persistentLoader) {
        this.file = file;
        this.what = what;
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.persistentLoader = persistentLoader;
        this.copyBudget = 1_000_000L + 16L * in.remaining();
    }

    /** Reads one pickle up to and including its STOP opcode. */
    public Object load() throws MalformedTensorFileException {
        int start = in.position();
        int opcodePosition = start;
        try {
            while (true) {
                opcodePosition = in.position();
                int opcode = u8();
                if (opcode == '.') {
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw new PickleRefusal("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                execute(opcode);
            }
        } catch (PickleRefusal refusal) {
            throw new MalformedTensorFileException(file, what + " at byte " + opcodePosition + ": "
                    + refusal.getMessage());
        } catch (RuntimeException malformed) {
            throw new MalformedTensorFileException(file, what + " at byte " + opcodePosition
                    + ": malformed pickle (" + malformed.getClass().getSimpleName() + ")", malformed);
        }
    }

    private void execute(int opcode) {
        switch (opcode) {
            case 0x80 -> { // PROTO
                int protocol = u8();
                if (protocol > 5) {
                    throw new PickleRefusal("pickle protocol " + protocol + " is newer than 5");
                }
            }
            case 0x95 -> bytes(8) /* FRAME: only a read-ahead hint */;
            case '(' -> marks.add(stack.size());
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> push(peek());
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'J' -> push((long) in.getInt(take(4)));
            case 'K' -> push((long) u8());
            case 'M' -> push((long) (in.getShort(take(2)) & 0xffff));
            case 0x8a -> push(littleEndianInteger(bytes(u8())));
            case 0x8b -> push(littleEndianInteger(bytes(length(in.getInt(take(4)) & 0xffffffffL, MAX_LONG_BYTES))));
            case 'I' -> push(textInt(line()));
            case 'L' -> push(textLong(line()));
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong(take(8))))); // big-endian on disk
            case 'F' -> push(Double.parseDouble(line()));
            case 'X' -> push(utf8(bytes(length(in.getInt(take(4)) & 0xffffffffL, Integer.MAX_VALUE))));
            case 0x8c -> push(utf8(bytes(u8())));
            case 0x8d -> push(utf8(bytes(length(in.getLong(take(8)), Integer.MAX_VALUE))));
            case 'T' -> push(latin1(bytes(length(in.getInt(take(4)), Integer.MAX_VALUE))));
            case 'U' -> push(latin1(bytes(u8())));
            case 'B' -> push(bytes(length(in.getInt(take(4)) & 0xffffffffL, Integer.MAX_VALUE)));
            case 'C' -> push(bytes(u8()));
            case 0x8e, 0x96 -> push(bytes(length(in.getLong(take(8)), Integer.MAX_VALUE)));
            case ')' -> push(tuple(List.of()));
            case 't' -> push(tuple(popMark()));
            case 0x85 -> push(tuple(Collections.singletonList(pop())));
            case 0x86 -> {
                Object second = pop();
                push(tuple(Arrays.asList(pop(), second)));
            }
            case 0x87 -> {
                Object third = pop();
                Object second = pop();
                push(tuple(Arrays.asList(pop(), second, third)));
            }
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(popMark()));
            case 'a' -> {
                Object item = pop();
                list(peek()).add(item);
            }
            case 'e' -> {
                List<Object> items = popMark();
                list(peek()).addAll(items);
            }
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putAll(dict, popMark());
                push(dict);
            }
            case 's' -> {
                Object value = pop();
                Object key = pop();
                dict(peek()).put(hashable(key), value);
            }
            case 'u' -> {
                List<Object> items = popMark();
                putAll(dict(peek()), items);
            }
            case 0x8f -> push(new LinkedHashSet<>());
            case 0x90 -> {
                List<Object> items = popMark();
                Set<Object> set = set(peek());
                for (Object item : items) {
                    set.add(hashable(item));
                }
            }
            case 0x91 -> push(Collections.unmodifiableSet(newSet(popMark())));
            case 'c' -> {
                String module = line();
                push(PythonGlobal.resolve(module, line()));
            }
            case 'i' -> { // INST: protocol 0's class call, checked like GLOBAL
                String module = line();
                Object cls = PythonGlobal.resolve(module, line());
                push(call(cls, popMark()));
            }
            case 'o' -> { // OBJ
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    throw new PickleRefusal("OBJ without a class");
                }
                push(call(items.get(0), new ArrayList<>(items.subList(1, items.size()))));
            }
            case 0x93 -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new PickleRefusal("STACK_GLOBAL needs two strings");
                }
                push(PythonGlobal.resolve(m, n));
            }
            case 'R' -> {
                Object arguments = pop();
                push(call(pop(), tupleArguments(arguments)));
            }
            case 0x81 -> {
                Object arguments = pop();
                push(newObject(pop(), tupleArguments(arguments)));
            }
            case 0x92 -> {
                Object keywords = pop();
                Object arguments = pop();
                if (!(keywords instanceof Map<?, ?> k) || !k.isEmpty()) {
                    throw new PickleRefusal("NEWOBJ_EX with keyword arguments is not used by tensor files");
                }
                push(newObject(pop(), tupleArguments(arguments)));
            }
            case 'b' -> {
                Object state = pop();
                build(peek(), state);
            }
            case 'Q' -> push(persistent(pop()));
            case 'P' -> push(persistent(line()));
            case 'q' -> memo.put((long) u8(), peek());
            case 'r' -> memo.put(in.getInt(take(4)) & 0xffffffffL, peek());
            case 'p' -> memo.put(memoKey(line()), peek());
            case 0x94 -> memo.put((long) memo.size(), peek());
            case 'h' -> push(memoGet(u8()));
            case 'j' -> push(memoGet(in.getInt(take(4)) & 0xffffffffL));
            case 'g' -> push(memoGet(memoKey(line())));
            default -> throw new PickleRefusal("unsupported pickle opcode 0x" + Integer.toHexString(opcode)
                    + (opcode >= 0x20 && opcode < 0x7f ? " ('" + (char) opcode + "')" : "")
                    + "; tensor files do not use it");
        }
    }

    // --- interpreting the allowed globals as data ---

    private Object call(Object callable, List<Object> args) {
        if (callable instanceof PythonGlobal.StorageClass storage) {
            throw new PickleRefusal("calling storage class torch." + storage.name() + " is not supported");
        }
        if (!(callable instanceof PythonGlobal global)) {
            throw new PickleRefusal("REDUCE on a " + typeName(callable) + ", which is not callable");
        }
        return switch (global) {
            case REBUILD_TENSOR, REBUILD_TENSOR_V2 -> TorchRebuild.tensor(global.qualifiedName(), args);
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, PARAMETER -> TorchRebuild.parameter(global, args);
            case REBUILD_FROM_TYPE_V2 -> rebuildFromType(args);
            case ORDERED_DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    for (Object pair : iterable(args.get(0))) {
                        List<?> entry = sequence(pair);
                        if (entry.size() != 2) {
                            throw new PickleRefusal("OrderedDict item is not a pair");
                        }
                        dict.put(hashable(entry.get(0)), entry.get(1));
                    }
                }
                yield dict;
            }
            case SET -> args.isEmpty() ? new LinkedHashSet<>() : newSet(iterable(args.get(0)));
            case FROZENSET -> Collections.unmodifiableSet(args.isEmpty() ? new LinkedHashSet<>()
                    : newSet(iterable(args.get(0))));
            case SIZE -> args.isEmpty() ? tuple(List.of()) : tuple(new ArrayList<>(iterable(args.get(0))));
            case CODECS_ENCODE -> encodeLatin1(args);
            case TENSOR, PARAMETER_DICT, STORAGE -> throw new PickleRefusal("calling " + global.qualifiedName()
                    + " is not supported");
        };
    }

    private Object newObject(Object cls, List<Object> args) {
        if (cls == PythonGlobal.PARAMETER_DICT) {
            Map<Object, Object> parameters = new LinkedHashMap<>();
            parameterDicts.add(parameters);
            return parameters;
        }
        if (cls == PythonGlobal.ORDERED_DICT || cls == PythonGlobal.SET || cls == PythonGlobal.FROZENSET
                || cls == PythonGlobal.PARAMETER || cls == PythonGlobal.SIZE) {
            return call(cls, args);
        }
        throw new PickleRefusal("NEWOBJ of " + typeName(cls) + " is not supported");
    }

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)}: a tensor subclass; we keep the tensor. */
    private Object rebuildFromType(List<Object> args) {
        if (args.size() != 4 || !(args.get(1) == PythonGlobal.TENSOR || args.get(1) == PythonGlobal.PARAMETER)) {
            throw new PickleRefusal("_rebuild_from_type_v2 is supported only for torch.Tensor and Parameter");
        }
        Object rebuilt = call(args.get(0), tupleArguments(args.get(2)));
        if (!(rebuilt instanceof PickledTensor)) {
            throw new PickleRefusal("_rebuild_from_type_v2 did not rebuild a tensor");
        }
        return rebuilt;
    }

    private void build(Object target, Object state) {
        if (parameterDicts.contains(target)) {
            // Module state: {'training': ..., '_parameters': OrderedDict(name -> Parameter), ...}
            Object dictState = state instanceof List<?> pair && pair.size() == 2 ? pair.get(0) : state;
            Map<Object, Object> parameters = dict(dict(dictState).get("_parameters"));
            charge(parameters.size());
            dict(target).putAll(parameters);
            return;
        }
        if (state == null || (state instanceof Map<?, ?> m && m.isEmpty())) {
            return;
        }
        throw new PickleRefusal("BUILD with state on a " + typeName(target) + " is not supported");
    }

    private Object persistent(Object persistentId) {
        Object loaded = persistentLoader.load(persistentId);
        if (loaded == null) {
            throw new PickleRefusal("persistent id could not be resolved");
        }
        return loaded;
    }

    private static byte[] encodeLatin1(List<Object> args) {
        if (args.size() != 2 || !(args.get(0) instanceof String text) || !(args.get(1) instanceof String codec)
                || !(codec.equals("latin1") || codec.equals("latin-1"))) {
            throw new PickleRefusal("_codecs.encode is supported only as encode(text, 'latin1')");
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    // --- stack, memo and type checks ---

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw new PickleRefusal("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw new PickleRefusal("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new PickleRefusal("no MARK on the stack");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void charge(int copiedElements) {
        copyBudget -= copiedElements;
        if (copyBudget < 0) {
            throw new PickleRefusal("the pickle copies containers far more often than any tensor file does");
        }
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new PickleRefusal("memo key " + index + " was never stored");
        }
        return memo.get(index);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private static List<Object> tupleArguments(Object arguments) {
        if (arguments instanceof List<?> list) {
            return Collections.unmodifiableList(list);
        }
        throw new PickleRefusal("call arguments are a " + typeName(arguments) + ", not a tuple");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw new PickleRefusal("APPEND to a " + typeName(value) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object value) {
        if (value instanceof LinkedHashMap<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new PickleRefusal("expected a dict, found a " + typeName(value));
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object value) {
        if (value instanceof LinkedHashSet<?> set) {
            return (Set<Object>) set;
        }
        throw new PickleRefusal("ADDITEMS to a " + typeName(value) + ", not a set");
    }

    private static List<?> sequence(Object value) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new PickleRefusal("expected a tuple or list, found a " + typeName(value));
    }

    private List<?> iterable(Object value) {
        if (value instanceof List<?> list) {
            charge(list.size());
            return list;
        }
        if (value instanceof Set<?> set) {
            charge(set.size());
            return new ArrayList<>(set);
        }
        throw new PickleRefusal("expected a list, tuple or set, found a " + typeName(value));
    }

    private static Set<Object> newSet(List<?> items) {
        Set<Object> set = new LinkedHashSet<>();
        for (Object item : items) {
            set.add(hashable(item));
        }
        return set;
    }

    private static void putAll(Map<Object, Object> dict, List<Object> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new PickleRefusal("odd number of items for a dict");
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            dict.put(hashable(keysAndValues.get(i)), keysAndValues.get(i + 1));
        }
    }

    /**
     * Dict keys and set members must be what Python could hash and what Java can hash without recursion:
     * scalars, or tuples of scalars.
     */
    private static Object hashable(Object key) {
        if (isScalar(key)) {
            return key;
        }
        if (key instanceof List<?> tuple && !(key instanceof ArrayList<?>)) {
            for (Object item : tuple) {
                if (!isScalar(item)) {
                    throw new PickleRefusal("dict key is a nested tuple; tensor files use strings and numbers");
                }
            }
            return key;
        }
        throw new PickleRefusal("a " + typeName(key) + " cannot be a dict key or set member");
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof BigInteger
                || value instanceof Double || value instanceof Boolean;
    }

    static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof PythonGlobal global) {
            return global.qualifiedName();
        }
        if (value instanceof PythonGlobal.StorageClass storage) {
            return "torch." + storage.name();
        }
        if (value instanceof ArrayList<?>) {
            return "list";
        }
        if (value instanceof List<?>) {
            return "tuple";
        }
        if (value instanceof Map<?, ?>) {
            return "dict";
        }
        if (value instanceof Set<?>) {
            return "set";
        }
        if (value instanceof byte[]) {
            return "bytes";
        }
        return value.getClass().getSimpleName();
    }

    // --- reading the byte stream ---

    private int u8() {
        return in.get(take(1)) & 0xff;
    }

    /** Reserves {@code count} bytes and returns the index of the first. */
    private int take(int count) {
        if (count > in.remaining()) {
            throw new PickleRefusal("truncated: needs " + count + " more bytes, only " + in.remaining() + " remain");
        }
        int index = in.position();
        in.position(index + count);
        return index;
    }

    private byte[] bytes(int count) {
        int index = take(count); // checks the length before allocating
        byte[] bytes = new byte[count];
        in.get(index, bytes);
        return bytes;
    }

    /** A declared length, refused when it exceeds what is left of the input (so no huge allocation). */
    private int length(long declared, int limit) {
        if (declared < 0 || declared > in.remaining() || declared > limit) {
            throw new PickleRefusal("declared length " + declared + " exceeds the " + in.remaining()
                    + " bytes left in the pickle");
        }
        return (int) declared;
    }

    private String line() {
        int start = in.position();
        int limit = Math.min(in.limit(), start + MAX_LINE);
        for (int i = start; i < limit; i++) {
            if (in.get(i) == '\n') {
                byte[] text = new byte[i - start];
                in.get(start, text);
                in.position(i + 1);
                return new String(text, StandardCharsets.UTF_8);
            }
        }
        throw new PickleRefusal("text argument has no end of line within " + MAX_LINE + " bytes");
    }

    private static Object textInt(String text) {
        return switch (text) {
            case "00" -> Boolean.FALSE;
            case "01" -> Boolean.TRUE;
            default -> textLong(text);
        };
    }

    private static long memoKey(String text) {
        if (textLong(text) instanceof Long key) {
            return key;
        }
        throw new PickleRefusal("memo key " + text.length() + " digits long");
    }

    private static Object textLong(String text) {
        String digits = text.endsWith("L") ? text.substring(0, text.length() - 1) : text;
        if (digits.length() > MAX_LONG_BYTES) {
            throw new PickleRefusal("integer literal longer than " + MAX_LONG_BYTES + " digits");
        }
        return narrow(new BigInteger(digits));
    }

    private static Object littleEndianInteger(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return narrow(new BigInteger(bigEndian));
    }

    private static Object narrow(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

package org.neologism.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;

/**
 * Streams a weight file into a network tensor by tensor: each tensor becomes an NDArray of the wanted
 * type and its bytes are released before the next one is read, so loading needs the weights' size in
 * native memory and only one tensor at a time on top. bf16 is widened in Java (DJL 0.36 aborts on bf16).
 */
public final class WeightLoader {

    private final NDManager manager;
    private final DataType type;
    /** Reused for sources that hand out heap bytes: each tensor is copied into libtorch before the next is read. */
    private ByteBuffer staging = ByteBuffer.allocateDirect(0);

    /**
     * @param type FLOAT32 or FLOAT16: every weight is converted to it
     */
    public WeightLoader(NDManager manager, DataType type) {
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights are held as float32 or float16, not " + type);
        }
        this.manager = manager;
        this.type = type;
    }

    /**
     * Loads every parameter of {@code network} from {@code source}.
     *
     * @param rename maps a stored name to the network's name (legacy names), or null to skip the tensor
     */
    public void load(Module network, WeightSource source, UnaryOperator<String> rename) {
        Map<String, Parameter> wanted = network.namedParameters();
        Map<String, Parameter> missing = new LinkedHashMap<>(wanted);
        List<String> unexpected = new ArrayList<>();
        for (WeightSource.Entry entry : source.entries()) {
            String name = rename.apply(entry.name());
            if (name == null) {
                continue;
            }
            Parameter parameter = wanted.get(name);
            if (parameter == null) {
                unexpected.add(entry.name());
                continue;
            }
            Shape stored = new Shape(entry.shape());
            Shape target = parameter.shape();
            if (stored.size() != target.size() || !compatible(stored, target)) {
                throw new UnsupportedModelException(source.describe() + ": tensor " + entry.name() + " has shape "
                        + stored + " but the config describes " + target
                        + "; the weights do not belong to this config.json");
            }
            parameter.set(toArray(source, entry, target));
            missing.remove(name);
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new UnsupportedModelException(source.describe() + " does not match its config.json: "
                    + (missing.isEmpty() ? "" : "missing " + summary(missing.keySet()))
                    + (missing.isEmpty() || unexpected.isEmpty() ? "" : "; ")
                    + (unexpected.isEmpty() ? "" : "unexpected " + summary(new TreeSet<>(unexpected))));
        }
    }

    /** Same element count; shapes equal or differing only by trailing 1×1 (1×1 conv stored for a linear layer). */
    private static boolean compatible(Shape stored, Shape target) {
        if (stored.equals(target)) {
            return true;
        }
        long[] s = stored.getShape();
        long[] t = target.getShape();
        int n = Math.min(s.length, t.length);
        if (!Arrays.equals(Arrays.copyOf(s, n), Arrays.copyOf(t, n))) {
            return false;
        }
        long[] rest = s.length > n ? Arrays.copyOfRange(s, n, s.length) : Arrays.copyOfRange(t, n, t.length);
        return Arrays.stream(rest).allMatch(d -> d == 1);
    }

    private NDArray toArray(WeightSource source, WeightSource.Entry entry, Shape target) {
        ByteBuffer bytes = source.bytes(entry).order(ByteOrder.LITTLE_ENDIAN);
        NDArray stored = switch (entry.type()) {
            case F32 -> manager.create(direct(bytes), target, DataType.FLOAT32);
            case F16 -> manager.create(direct(bytes), target, DataType.FLOAT16);
            case F64 -> manager.create(direct(bytes), target, DataType.FLOAT64);
            case BF16 -> manager.create(widenBf16(bytes), target, DataType.FLOAT32);
        };
        // A fresh copy owned by libtorch, so the weight never aliases a mapped file or a Java buffer.
        NDArray converted = stored.getDataType() == type ? stored.duplicate() : stored.toType(type, true);
        stored.close();
        return converted;
    }

    private ByteBuffer direct(ByteBuffer bytes) {
        if (bytes.isDirect()) {
            return bytes.slice().order(ByteOrder.nativeOrder());
        }
        ByteBuffer copy = staging(bytes.remaining());
        copy.put(bytes.duplicate());
        return copy.flip();
    }

    private ByteBuffer staging(int size) {
        if (staging.capacity() < size) {
            staging = ByteBuffer.allocateDirect(size);
        }
        return staging.clear().limit(size).order(ByteOrder.nativeOrder());
    }

    /** bf16 is the upper half of a float32: widening is a 16-bit shift. */
    private ByteBuffer widenBf16(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = staging(in.remaining() * 2);
        while (in.remaining() >= 2) {
            out.putInt((in.getShort() & 0xFFFF) << 16);
        }
        return out.flip();
    }

    private static String summary(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        String shown = String.join(", ", list.subList(0, Math.min(8, list.size())));
        return list.size() + " tensor" + (list.size() == 1 ? "" : "s") + " (" + shown
                + (list.size() > 8 ? ", …" : "") + ")";
    }
}

package org.neologism.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A minimal test-only safetensors reader for the fixtures (the product reads weights through core's reader). */
final class TestSafetensors implements WeightSource {

    private final Path file;
    private final ByteBuffer data;
    private final Map<String, long[]> offsets = new LinkedHashMap<>();
    private final Map<String, String> dtypes = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    TestSafetensors(Path file) {
        this.file = file;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = all.getLong(0);
            byte[] header = new byte[(int) headerLength];
            all.get(8, header);
            data = all.slice(8 + (int) headerLength, all.capacity() - 8 - (int) headerLength).order(ByteOrder.LITTLE_ENDIAN);
            JsonNode root = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                fields.add(it.next());
            }
            fields.sort((a, b) -> Long.compare(a.getValue().path("data_offsets").path(0).asLong(),
                    b.getValue().path("data_offsets").path(0).asLong()));
            for (Map.Entry<String, JsonNode> field : fields) {
                if (field.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = field.getValue();
                long[] shape = new long[t.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).asLong();
                }
                shapes.put(field.getKey(), shape);
                dtypes.put(field.getKey(), t.get("dtype").asText());
                offsets.put(field.getKey(), new long[] {t.get("data_offsets").get(0).asLong(), t.get("data_offsets").get(1).asLong()});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (String name : offsets.keySet()) {
            String dtype = dtypes.get(name);
            if (dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64")) {
                entries.add(new Entry(name, ElementType.valueOf(dtype), shapes.get(name)));
            }
        }
        return entries;
    }

    @Override
    public ByteBuffer bytes(Entry entry) {
        return raw(entry.name());
    }

    private ByteBuffer raw(String name) {
        long[] o = offsets.get(name);
        if (o == null) {
            throw new IllegalArgumentException(file + " has no tensor " + name);
        }
        return data.slice((int) o[0], (int) (o[1] - o[0])).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String describe() {
        return file.toString();
    }

    boolean has(String name) {
        return offsets.containsKey(name);
    }

    long[] shape(String name) {
        return shapes.get(name);
    }

    float[] floats(String name) {
        ByteBuffer b = raw(name);
        String dtype = dtypes.get(name);
        if (dtype.equals("F64")) {
            double[] d = doubles(name);
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        if (!dtype.equals("F32")) {
            throw new IllegalArgumentException(name + " is " + dtype);
        }
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    double[] doubles(String name) {
        ByteBuffer b = raw(name);
        if (dtypes.get(name).equals("F32")) {
            float[] f = floats(name);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        double[] out = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(out);
        return out;
    }

    long[] longs(String name) {
        ByteBuffer b = raw(name);
        long[] out = new long[b.remaining() / 8];
        b.asLongBuffer().get(out);
        return out;
    }

    NDArray array(NDManager manager, String name) {
        String dtype = dtypes.get(name);
        Shape shape = new Shape(shapes.get(name));
        return switch (dtype) {
            case "I64" -> manager.create(longs(name), shape);
            case "F32" -> manager.create(floats(name), shape);
            default -> throw new IllegalArgumentException(name + " is " + dtype);
        };
    }

    @Override
    public void close() {}
}

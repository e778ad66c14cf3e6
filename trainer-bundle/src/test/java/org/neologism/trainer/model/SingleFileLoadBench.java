package org.neologism.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neologism.core.root.RootFolder;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsStreamWriter;
import org.neologism.testsupport.Fixtures;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.single.SingleFileConversion;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.training.ModelLocator;

/**
 * Memory and load time of a full-size model, not a parity test (the name keeps it out of the default run).
 * {@code -Dtest=SingleFileLoadBench#prepare -Dbench.dir=D} writes SD 1.5-sized single files (fp32 and fp16,
 * random weights under every key of real-architectures/sd15.json but the EMA copies) and their diffusers
 * folders (ti:model convert's code); {@code -Dtest=SingleFileLoadBench#measure -Dbench.model=M [-Dbench.fp16=true]
 * [-Dbench.config=C]} loads the text encoder(s), UNet and VAE from M (a single file of non-standard sizes with
 * {@code --original_config C}) in a fresh JVM and prints load time and resident memory.
 */
class SingleFileLoadBench {

    @Test
    void prepare() throws Exception {
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/neologism-single-file-bench"));
        Files.createDirectories(dir);
        JsonNode inventory = new ObjectMapper().readTree(
                Fixtures.root().resolve("single-file/real-architectures/sd15.json").toFile());
        for (DType dtype : List.of(DType.F32, DType.F16)) {
            String stem = dtype == DType.F32 ? "sd15" : "sd15.fp16";
            Path file = dir.resolve(stem + ".safetensors");
            long t0 = System.nanoTime();
            if (!Files.exists(file)) {
                writeRandom(inventory, dtype, file);
            }
            System.out.printf("BENCH wrote %s: %.2f GB in %.1f s%n", file, Files.size(file) / 1e9,
                    (System.nanoTime() - t0) / 1e9);
            Path folder = dir.resolve(stem + "-folder");
            t0 = System.nanoTime();
            if (!Files.exists(folder)) {
                SingleFileConversion.write(SingleFileModel.open(file, SingleFileOptions.NONE), folder);
            }
            System.out.printf("BENCH converted to %s in %.1f s%n", folder, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void writeRandom(JsonNode inventory, DType floatType, Path file) throws Exception {
        List<SafetensorsStreamWriter.Tensor> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inventory.path("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> key = it.next();
            if (key.getKey().startsWith("model_ema.") && !key.getKey().equals("model_ema.decay")
                    && !key.getKey().equals("model_ema.num_updates")) {
                continue; // a 4.3 GB SD 1.5 file carries no EMA copy
            }
            DType stored = DType.forSafetensorsName(key.getValue().path("dtype").asText()).orElseThrow();
            long[] shape = new ObjectMapper().convertValue(key.getValue().path("shape"), long[].class);
            tensors.add(new SafetensorsStreamWriter.Tensor(key.getKey(), stored == DType.F32 ? floatType : stored, shape));
        }
        long[] state = {0x9E3779B97F4A7C15L};
        ByteBuffer[] buffer = {ByteBuffer.allocateDirect(0)};
        SafetensorsStreamWriter.write(file, Map.of("format", "pt"), tensors, tensor -> {
            long count = 1;
            for (long d : tensor.shape()) {
                count *= d;
            }
            int bytes = Math.toIntExact(count * tensor.dtype().byteSize());
            if (buffer[0].capacity() < bytes) {
                buffer[0] = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer out = buffer[0].clear().limit(bytes);
            for (long i = 0; i < count; i++) {
                long x = state[0];
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                state[0] = x;
                // Small random values (|w| < 2^-7) with random sign and mantissa; integers stay zero.
                switch (tensor.dtype()) {
                    case F32 -> out.putInt((int) (x & 0x807FFFFFL) | (0x77 << 23));
                    case F16 -> out.putShort((short) ((x & 0x83FFL) | (8 << 10)));
                    case I64 -> out.putLong(0);
                    case I32 -> out.putInt(0);
                    default -> throw new IllegalStateException(tensor.dtype().toString());
                }
            }
            return out.flip();
        });
    }

    @Test
    void measure() throws Exception {
        String model = System.getProperty("bench.model");
        boolean fp16 = Boolean.getBoolean("bench.fp16");
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager()) {
            manager.zeros(new ai.djl.ndarray.types.Shape(1)).close();
            System.gc();
            long before = status("VmRSS");
            long t0 = System.nanoTime();
            Loaded first = load(model, fp16, manager);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long after = status("VmRSS");
            long peak = status("VmHWM");
            // A second load in the same JVM: without class loading and JIT warm-up, which dominate tiny models.
            long t1 = System.nanoTime();
            try (NDManager again = manager.newSubManager()) {
                load(model, fp16, again);
            }
            double warm = (System.nanoTime() - t1) / 1e9;
            Path path = first.pipeline().root();
            long size = Files.isDirectory(path) ? folderSize(path) : Files.size(path);
            System.out.printf("BENCH %s (%s, %.1f MB on disk), %s networks (%,d parameters): loaded in %.2f s (again"
                            + " %.2f s); resident %.1f MB before, %.1f MB after, peak %.1f MB (peak - before %.1f MB ="
                            + " %.2f x the file)%n", path, first.pipeline().isFolder() ? "diffusers folder" : "single file",
                    size / 1e6, fp16 ? "fp16" : "fp32", first.parameters(), seconds, warm, before / 1e6, after / 1e6,
                    peak / 1e6, (peak - before) / 1e6, (peak - before) / (double) size);
        }
    }

    private record Loaded(DiffusersFolder pipeline, long parameters) {}

    /** Opens {@code model} and loads every network of it into {@code manager}. */
    private static Loaded load(String model, boolean fp16, NDManager manager) {
        DiffusersFolder pipeline = ModelLocator.open(model, RootFolder.ofProcess(),
                SingleFileOptions.of(System.getProperty("bench.config", ""), "", ""));
        DataType heavy = fp16 ? DataType.FLOAT16 : DataType.FLOAT32;
        long parameters = pipeline.loadTextEncoder(manager, DataType.FLOAT32, ComposedKernels.INSTANCE).parameterCount()
                + (pipeline.isSdxl() ? pipeline.loadTextEncoder2(manager, DataType.FLOAT32, ComposedKernels.INSTANCE)
                        .parameterCount() : 0)
                + pipeline.loadUNet(manager, heavy, ComposedKernels.INSTANCE).parameterCount()
                + pipeline.loadVae(manager, heavy, ComposedKernels.INSTANCE).parameterCount();
        return new Loaded(pipeline, parameters);
    }

    private static long folderSize(Path folder) throws Exception {
        try (var files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}

package org.neologism.trainer.model.fused;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.FlopCounter;
import org.neologism.trainer.model.nn.Kernels;

/**
 * libtorch's fused kernels through tiny TorchScript modules written by {@link TorchScriptArchive}:
 * {@code torch.scaled_dot_product_attention} (flash / memory-efficient attention) and
 * {@code torch.group_norm}. Weights are forward arguments, so one module serves every layer; a group-norm
 * module is written per (groups, eps) because TorchScript wants them as constants. Gradients flow through.
 */
public final class FusedKernels implements Kernels, AutoCloseable {

    private final Path folder;
    private final NDManager manager;
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    private final Block attention;
    private final Block causalAttention;
    private final Block toHalf;
    private final Block toFloat;
    private final Map<String, Block> groupNorms = new ConcurrentHashMap<>();

    private FusedKernels(Path folder, NDManager manager) throws IOException, MalformedModelException {
        this.folder = folder;
        this.manager = manager;
        String qkv = "q: Tensor,\n    k: Tensor,\n    v: Tensor";
        attention = module("sdpa", "Sdpa", qkv, "torch.scaled_dot_product_attention(q, k, v)");
        toHalf = module("to_half", "ToHalf", "x: Tensor", "x.half()");
        toFloat = module("to_float", "ToFloat", "x: Tensor", "x.float()");
        causalAttention = module("sdpa_causal", "SdpaCausal", qkv,
                "torch.scaled_dot_product_attention(q, k, v, None, 0., True)");
    }

    /**
     * Writes the archives into {@code folder} (a cache folder of the distribution or of the job) and loads
     * them on {@code manager}'s device.
     *
     * @throws IOException if the folder cannot be written or libtorch refuses an archive (callers then fall
     *         back to {@link org.neologism.trainer.model.nn.ComposedKernels})
     */
    public static FusedKernels load(Path folder, NDManager manager) throws IOException {
        try {
            return new FusedKernels(folder, manager);
        } catch (MalformedModelException | RuntimeException e) {
            throw new IOException("libtorch could not load the fused-kernel TorchScript modules in " + folder + ": " + e, e);
        }
    }

    /**
     * The fused kernels, or {@link ComposedKernels} when they cannot be written or loaded (the reason goes to
     * {@code warnings}); both pass the same parity tests, the composed attention is slower and larger.
     */
    public static Kernels orComposed(Path folder, NDManager manager, Consumer<String> warnings) {
        try {
            return load(folder, manager);
        } catch (IOException e) {
            warnings.accept("Using composed attention and group norm (slower): " + e.getMessage());
            return ComposedKernels.INSTANCE;
        }
    }

    private Block module(String name, String className, String signature, String body)
            throws IOException, MalformedModelException {
        TorchScriptArchive.write(folder, name, className, TorchScriptArchive.source(className, signature, body));
        Model model = Model.newInstance(name, manager.getDevice(), "PyTorch");
        model.load(folder, name);
        models.put(name, model);
        return model.getBlock();
    }

    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value, boolean causal, boolean upcast) {
        FlopCounter.attention(query, key);
        DataType type = query.getDataType();
        boolean cast = upcast && type != DataType.FLOAT32;
        NDList inputs = cast
                ? new NDList(cast(query, DataType.FLOAT32), cast(key, DataType.FLOAT32), cast(value, DataType.FLOAT32))
                : new NDList(query, key, value);
        NDArray out = run(causal ? causalAttention : attention, inputs, query.getManager());
        return cast ? cast(out, type) : out;
    }

    @Override
    public NDArray cast(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        Block conversion = type == DataType.FLOAT16 ? toHalf : type == DataType.FLOAT32 ? toFloat : null;
        return conversion == null ? x.toType(type, false) : run(conversion, new NDList(x), x.getManager());
    }

    @Override
    public NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        String name = String.format(Locale.ROOT, "group_norm_%d_%s", groups, Double.toString(eps).replace('.', 'p')
                .replace('-', 'm'));
        Block block = groupNorms.computeIfAbsent(name, n -> {
            try {
                return module(n, "GroupNorm", "x: Tensor,\n    weight: Tensor,\n    bias: Tensor",
                        "torch.group_norm(x, " + groups + ", weight, bias, " + Double.toString(eps) + ")");
            } catch (IOException | MalformedModelException e) {
                throw new IllegalStateException("cannot load the fused group norm for " + groups + " groups, eps "
                        + eps + " from " + folder + ": " + e, e);
            }
        });
        return run(block, new NDList(x, weight, bias), x.getManager());
    }

    private static NDArray run(Block block, NDList inputs, NDManager owner) {
        // training = true: DJL runs a TorchScript module under no-grad otherwise, and the placeholder's
        // gradient must flow through attention and group norm. The modules have no dropout or batch statistics.
        NDArray out = block.forward(new ParameterStore(owner, false), inputs, true).singletonOrThrow();
        if (out.getManager() != owner) {
            out.attach(owner);
        }
        return out;
    }

    @Override
    public String name() {
        return "fused";
    }

    @Override
    public void close() {
        models.values().forEach(Model::close);
        models.clear();
    }
}

package org.neologism.trainer.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.HostTransfers;
import org.neologism.trainer.model.nn.Init;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.LayerNorm;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;

/**
 * transformers' {@code CLIPTextModel} as Stable Diffusion uses it: {@code last_hidden_state} after the
 * final layer norm, causal self-attention, no padding mask. Weight names start at {@code text_model.}.
 */
public final class ClipTextModel extends Module {

    private final TextEncoderConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;

    public ClipTextModel(TextEncoderConfig config, Kernels kernels) {
        this.config = config;
        TextModel textModel = child("text_model", new TextModel());
        Embeddings embeddings = textModel.child("embeddings", new Embeddings());
        tokenEmbedding = embeddings.child("token_embedding", new Table(config.vocabSize(), config.hiddenSize())).weight;
        positionEmbedding = embeddings.child("position_embedding",
                new Table(config.maxPositionEmbeddings(), config.hiddenSize())).weight;
        Encoder encoder = textModel.child("encoder", new Encoder());
        Activations activation = "gelu".equals(config.hiddenAct()) ? Activations.GELU : Activations.QUICK_GELU;
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(encoder.child("layers." + i, new ClipEncoderLayer(kernels, config.hiddenSize(),
                    config.intermediateSize(), config.numAttentionHeads(), config.layerNormEps(), activation)));
        }
        finalLayerNorm = textModel.child("final_layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    public TextEncoderConfig config() {
        return config;
    }

    /** Token width d (768 for SD 1.x, 1024 for SD 2.x). */
    public int width() {
        return config.hiddenSize();
    }

    /** The frozen embedding row of one token id (a copy in {@code manager}), e.g. to initialise a placeholder. */
    public NDArray tokenEmbeddingRow(NDManager manager, long tokenId) {
        if (tokenId < 0 || tokenId >= config.vocabSize()) {
            throw new IllegalArgumentException("token id " + tokenId + " is outside the vocabulary of "
                    + config.vocabSize());
        }
        return tokenEmbedding.array().get(manager, tokenId).toType(DataType.FLOAT32, true);
    }

    /** {@code last_hidden_state} [B, N, d] of int64 ids [B, N]. */
    public NDArray forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /**
     * {@code last_hidden_state} [B, N, d] with the embeddings of {@code splice}'s token ids replaced by its
     * vectors, through which gradients flow. The result has the dtype of the weights.
     */
    public NDArray forward(NDArray inputIds, TokenSplice splice) {
        long length = inputIds.getShape().get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(length + " tokens exceed the text encoder's "
                    + config.maxPositionEmbeddings() + " positions");
        }
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray x = splice == null ? lookup(ids) : splicedLookup(ids, splice);
        // Slices of frozen weights are taken into the input's manager, so a step's scope frees them.
        NDArray positions = positionEmbedding.array().get(ids.getManager(), new NDIndex("0:" + length));
        x = x.add(positions);
        for (ClipEncoderLayer layer : layers) {
            x = layer.forward(x);
        }
        return finalLayerNorm.forward(x);
    }

    private NDArray lookup(NDArray ids) {
        return tokenEmbedding.array().get(ids.getManager(), new NDIndex("{}", ids));
    }

    private NDArray splicedLookup(NDArray ids, TokenSplice splice) {
        NDArray vectors = splice.vectors();
        DataType weightType = tokenEmbedding.array().getDataType();
        if (vectors.getDataType() != weightType) {
            vectors = vectors.toType(weightType, false);
            vectors.attach(ids.getManager());
        }
        List<NDArray> masks = new ArrayList<>();
        NDArray safeIds = ids;
        for (long id : splice.tokenIds()) {
            // DJL makes the Java id a tensor from a buffer: a copy from the host, counted for the benchmark.
            HostTransfers.upload();
            NDArray mask = ids.eq(id);
            masks.add(mask);
            // Placeholder ids may lie beyond the frozen table: look up row 0 there, it is replaced below.
            safeIds = NDArrays.where(mask, ids.zerosLike(), safeIds);
        }
        NDArray x = lookup(safeIds);
        for (int i = 0; i < masks.size(); i++) {
            NDArray mask = masks.get(i).expandDims(-1).broadcast(x.getShape());
            NDArray row = vectors.get(ids.getManager(), i).reshape(1, 1, -1);
            x = NDArrays.where(mask, row.broadcast(x.getShape()), x);
        }
        return x;
    }

    private static final class TextModel extends Module {}

    private static final class Embeddings extends Module {}

    private static final class Encoder extends Module {}

    /** An embedding table ({@code nn.Embedding}): a single {@code weight} of [rows, width]. */
    private static final class Table extends Module {
        final Parameter weight;

        Table(long rows, long width) {
            weight = parameter("weight", Init.normal(0.02), rows, width);
        }
    }
}

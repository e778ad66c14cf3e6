package org.neologism.trainer.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.Init;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.LayerNorm;
import org.neologism.trainer.model.nn.Linear;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;

/**
 * transformers' {@code CLIPTextModel} as Stable Diffusion uses it: {@code last_hidden_state} after the
 * final layer norm, causal self-attention, no padding mask. Weight names start at {@code text_model.}.
 * With {@code CLIPTextModelWithProjection} (SDXL's second encoder) it also has {@code text_projection}, and
 * {@link #encode} gives the penultimate hidden state and the projected pooled token SDXL conditions on.
 */
public final class ClipTextModel extends Module {

    private final TextEncoderConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;

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
        textProjection = config.withProjection()
                ? child("text_projection", new Linear(config.hiddenSize(), config.projectionDim(), false)) : null;
    }

    /**
     * What one pass gives: {@code last_hidden_state} [B, N, d] (after the final layer norm),
     * {@code hidden_states[-2]} [B, N, d] (the output of layer L-2, no final norm), {@code pooler_output}
     * [B, d] and, with a projection, {@code text_embeds} [B, projection_dim] (else null).
     */
    public record Output(NDArray lastHiddenState, NDArray penultimateHiddenState, NDArray pooled, NDArray textEmbeds) {}

    /** Every output of {@code CLIPTextModel(WithProjection)(input_ids, output_hidden_states=True)}. */
    public Output encode(NDArray inputIds, TokenSplice splice) {
        NDArray x = embed(inputIds, splice);
        NDArray penultimate = layers.size() == 1 ? x : null;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i == layers.size() - 2) {
                penultimate = x;
            }
        }
        NDArray last = finalLayerNorm.forward(x);
        NDArray pooled = pool(last, inputIds);
        return new Output(last, penultimate, pooled, textProjection == null ? null : textProjection.forward(pooled));
    }

    /** {@code hidden_states[-2]} alone, without running the last layer (SDXL's first encoder needs no more). */
    public NDArray penultimateHiddenState(NDArray inputIds, TokenSplice splice) {
        NDArray x = embed(inputIds, splice);
        for (int i = 0; i < layers.size() - 1; i++) {
            x = layers.get(i).forward(x);
        }
        return x;
    }

    /** Whether {@link Output#textEmbeds()} is there: a {@code CLIPTextModelWithProjection}. */
    public boolean hasProjection() {
        return textProjection != null;
    }

    /**
     * The position of the pooled token in each row of {@code ids} [B, N] (see
     * {@link TextEncoderConfig#poolsAtLargestId()}): the first largest id, or the first end token (0 without one).
     */
    public long[] pooledIndex(long[] ids, int rows) {
        int length = ids.length / rows;
        long[] index = new long[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int i = 0; i < length; i++) {
                long id = ids[r * length + i];
                if (config.poolsAtLargestId() ? id > ids[r * length + best] : id == config.eosTokenId()) {
                    best = i;
                    if (!config.poolsAtLargestId()) {
                        break;
                    }
                }
            }
            index[r] = best;
        }
        return index;
    }

    private NDArray pool(NDArray last, NDArray inputIds) {
        int rows = Math.toIntExact(inputIds.getShape().get(0));
        long[] index = pooledIndex(inputIds.toType(DataType.INT64, false).toLongArray(), rows);
        NDList picked = new NDList();
        for (int r = 0; r < rows; r++) {
            picked.add(last.get(r, index[r]));
        }
        return NDArrays.stack(picked);
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
        NDArray x = embed(inputIds, splice);
        for (ClipEncoderLayer layer : layers) {
            x = layer.forward(x);
        }
        return finalLayerNorm.forward(x);
    }

    /** Token plus position embeddings [B, N, d]: the input of layer 0, {@code hidden_states[0]}. */
    private NDArray embed(NDArray inputIds, TokenSplice splice) {
        long length = inputIds.getShape().get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(length + " tokens exceed the text encoder's "
                    + config.maxPositionEmbeddings() + " positions");
        }
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray x = splice == null ? lookup(ids) : splicedLookup(ids, splice);
        // Slices of frozen weights are taken into the input's manager, so a step's scope frees them.
        NDArray positions = positionEmbedding.array().get(ids.getManager(), new NDIndex("0:" + length));
        return x.add(positions);
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
            // The id is filled on the device (the value travels with the call): DJL's eq(long) would make it a
            // tensor from a Java buffer, a copy from the host at every step. Ids are far below 2^24, exact as floats.
            NDArray mask = ids.eq(ids.getManager().full(new Shape(), id, ids.getDataType()));
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

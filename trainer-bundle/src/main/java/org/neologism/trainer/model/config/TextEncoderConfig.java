package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** transformers' {@code CLIPTextConfig} as saved in {@code text_encoder/config.json}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TextEncoderConfig(
        List<String> architectures,
        String modelType,
        Integer vocabSize,
        Integer hiddenSize,
        Integer intermediateSize,
        Integer numHiddenLayers,
        Integer numAttentionHeads,
        Integer maxPositionEmbeddings,
        String hiddenAct,
        Double layerNormEps,
        Integer bosTokenId,
        Integer eosTokenId,
        Integer padTokenId,
        Integer projectionDim) {

    public TextEncoderConfig {
        architectures = architectures == null ? List.of("CLIPTextModel") : List.copyOf(architectures);
        modelType = modelType == null ? "clip_text_model" : modelType;
        vocabSize = vocabSize == null ? 49408 : vocabSize;
        hiddenSize = hiddenSize == null ? 512 : hiddenSize;
        intermediateSize = intermediateSize == null ? 2048 : intermediateSize;
        numHiddenLayers = numHiddenLayers == null ? 12 : numHiddenLayers;
        numAttentionHeads = numAttentionHeads == null ? 8 : numAttentionHeads;
        maxPositionEmbeddings = maxPositionEmbeddings == null ? 77 : maxPositionEmbeddings;
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
        bosTokenId = bosTokenId == null ? 49406 : bosTokenId;
        eosTokenId = eosTokenId == null ? 49407 : eosTokenId;
        padTokenId = padTokenId == null ? 1 : padTokenId;
        projectionDim = projectionDim == null ? 512 : projectionDim;
    }

    /** {@code CLIPTextModelWithProjection} (SDXL's text_encoder_2): the pooled token goes through {@code text_projection}. */
    public boolean withProjection() {
        return architectures.contains("CLIPTextModelWithProjection");
    }

    /**
     * transformers' pooling rule: a config with {@code eos_token_id == 2} (as SDXL's text_encoder_2 ships)
     * takes the legacy {@code argmax(input_ids)} position, any other the first position of {@code eos_token_id}.
     */
    public boolean poolsAtLargestId() {
        return eosTokenId == 2;
    }

    /** Throws {@link UnsupportedModelException} naming every value this implementation cannot run. */
    public TextEncoderConfig validate(String file) {
        new ConfigCheck(file)
                .require(architectures.isEmpty() || architectures.contains("CLIPTextModel")
                        || architectures.contains("CLIPTextModelWithProjection"), "architectures", architectures,
                        "CLIPTextModel or CLIPTextModelWithProjection")
                .oneOf("model_type", modelType, "clip_text_model")
                .oneOf("hidden_act", hiddenAct, "quick_gelu", "gelu")
                .require(hiddenSize > 0 && numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
                        "hidden_size/num_attention_heads", hiddenSize + "/" + numAttentionHeads,
                        "a width divisible by the head count")
                .require(vocabSize > 0 && intermediateSize > 0 && numHiddenLayers > 0 && maxPositionEmbeddings > 0,
                        "vocab_size/intermediate_size/num_hidden_layers/max_position_embeddings",
                        vocabSize + "/" + intermediateSize + "/" + numHiddenLayers + "/" + maxPositionEmbeddings,
                        "positive numbers")
                .throwIfAny();
        return this;
    }
}

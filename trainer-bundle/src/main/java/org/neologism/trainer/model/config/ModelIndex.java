package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code model_index.json}: the pipeline class and, per component, [library, class]. An SDXL pipeline adds
 * {@code text_encoder_2} (CLIPTextModelWithProjection) and {@code tokenizer_2}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelIndex(
        @JsonProperty("_class_name") String className,
        List<String> textEncoder,
        List<String> tokenizer,
        List<String> unet,
        List<String> vae,
        List<String> scheduler,
        @JsonProperty("text_encoder_2") List<String> textEncoder2,
        @JsonProperty("tokenizer_2") List<String> tokenizer2,
        Boolean forceZerosForEmptyPrompt) {

    /** The SD 1.x/2.x form: one text encoder. */
    public ModelIndex(String className, List<String> textEncoder, List<String> tokenizer, List<String> unet,
            List<String> vae, List<String> scheduler) {
        this(className, textEncoder, tokenizer, unet, vae, scheduler, null, null, null);
    }

    /** Two text encoders (Stable Diffusion XL): the folder has text_encoder_2/ and tokenizer_2/. */
    public boolean dualTextEncoders() {
        return textEncoder2 != null && textEncoder2.size() == 2 && textEncoder2.get(1) != null;
    }

    /** SDXL pipelines condition an empty negative prompt on zeros rather than on its encoding. */
    public boolean zerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt != null && forceZerosForEmptyPrompt;
    }

    public ModelIndex validate(String file) {
        boolean textEncoder2Absent = textEncoder2 == null || textEncoder2.stream().allMatch(java.util.Objects::isNull);
        new ConfigCheck(file)
                .require(textEncoder2Absent || component(textEncoder2, "CLIPTextModelWithProjection"), "text_encoder_2",
                        textEncoder2, "[\"transformers\", \"CLIPTextModelWithProjection\"] or none")
                .require(textEncoder2Absent || (tokenizer2 != null && tokenizer2.size() == 2 && tokenizer2.get(1) != null
                        && tokenizer2.get(1).startsWith("CLIPTokenizer")), "tokenizer_2", tokenizer2,
                        "[\"transformers\", \"CLIPTokenizer\"] beside text_encoder_2")
                .require(component(textEncoder, "CLIPTextModel"), "text_encoder", textEncoder,
                        "[\"transformers\", \"CLIPTextModel\"]")
                .require(component(unet, "UNet2DConditionModel"), "unet", unet,
                        "[\"diffusers\", \"UNet2DConditionModel\"]")
                .require(component(vae, "AutoencoderKL"), "vae", vae, "[\"diffusers\", \"AutoencoderKL\"]")
                .require(tokenizer != null && tokenizer.size() == 2 && tokenizer.get(1) != null
                        && tokenizer.get(1).startsWith("CLIPTokenizer"), "tokenizer", tokenizer,
                        "[\"transformers\", \"CLIPTokenizer\"]")
                .require(scheduler != null && scheduler.size() == 2 && scheduler.get(1) != null, "scheduler",
                        scheduler, "a scheduler component")
                .throwIfAny();
        return this;
    }

    private static boolean component(List<String> entry, String className) {
        return entry != null && entry.size() == 2 && className.equals(entry.get(1));
    }
}

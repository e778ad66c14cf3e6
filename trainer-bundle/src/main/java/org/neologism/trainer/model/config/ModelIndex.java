package org.neologism.trainer.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code model_index.json}: the pipeline class and, per component, [library, class]. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelIndex(
        @JsonProperty("_class_name") String className,
        List<String> textEncoder,
        List<String> tokenizer,
        List<String> unet,
        List<String> vae,
        List<String> scheduler) {

    public ModelIndex validate(String file) {
        new ConfigCheck(file)
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

package org.neologism.trainer.model.single;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * The values of an original LDM / sgm inference YAML ({@code v1-inference.yaml}, {@code v2-inference-v.yaml},
 * {@code sd_xl_base.yaml}, the file InvokeAI 2.3 names in a {@code format: ckpt} entry's {@code config:})
 * that the weights' shapes cannot tell: head counts, v-prediction, the VAE's scale factor and the DDPM
 * schedule. Dimensions always come from the weights.
 */
public record LdmConfig(Path file, OptionalInt unetHeads, OptionalInt unetHeadChannels, Optional<String> predictionType,
                        OptionalDouble scaleFactor, OptionalInt timesteps, OptionalDouble linearStart,
                        OptionalDouble linearEnd) {

    public static LdmConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UnsupportedModelException("--original_config " + file + " does not exist: give the model's LDM"
                    + " YAML (e.g. v1-inference.yaml) or a diffusers folder");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (JacksonException e) {
            throw new UnsupportedModelException(file + " is not valid YAML (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UnsupportedModelException(file + " cannot be read: " + e.getMessage(), e);
        }
        JsonNode params = root == null ? null : root.path("model").path("params");
        if (params == null || !params.isObject()) {
            throw new UnsupportedModelException(file + " is not an LDM model config: it has no model.params"
                    + " (expected the format of v1-inference.yaml / sd_xl_base.yaml)");
        }
        // ldm keeps the UNet under unet_config, sgm under network_config.
        JsonNode unet = params.has("unet_config") ? params.path("unet_config").path("params")
                : params.path("network_config").path("params");
        // ldm's DDPM: parameterization "v" means v-prediction; sgm says so with VScaling.
        String scaling = params.path("denoiser_config").path("params").path("scaling_config").path("target").asText("");
        Optional<String> prediction = params.has("parameterization")
                ? Optional.of("v".equals(params.path("parameterization").asText()) ? "v_prediction" : "epsilon")
                : scaling.isEmpty() ? Optional.empty()
                : Optional.of(scaling.endsWith("VScaling") ? "v_prediction" : "epsilon");
        return new LdmConfig(file, positive(unet.path("num_heads")), positive(unet.path("num_head_channels")),
                prediction, number(params.path("scale_factor")), positive(params.path("timesteps")),
                number(params.path("linear_start")), number(params.path("linear_end")));
    }

    /** ldm writes -1 for "not set". */
    private static OptionalInt positive(JsonNode node) {
        return node.canConvertToInt() && node.asInt() > 0 ? OptionalInt.of(node.asInt()) : OptionalInt.empty();
    }

    private static OptionalDouble number(JsonNode node) {
        return node.isNumber() ? OptionalDouble.of(node.asDouble()) : OptionalDouble.empty();
    }
}

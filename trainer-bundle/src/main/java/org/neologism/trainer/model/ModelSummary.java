package org.neologism.trainer.model;

import java.util.List;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * What a diffusers folder holds, computed from its configs alone (no weights are loaded): the family, the
 * parameter counts of each network and the token width an embedding for it must have.
 */
public record ModelSummary(String family, String predictionType, List<Integer> tokenWidths, int vocabSize, long textEncoderParameters,
        long unetParameters, long vaeParameters, long vaeEncoderParameters, String textEncoderWeights, String unetWeights,
        String vaeWeights) {

    public static ModelSummary of(DiffusersFolder folder) {
        TextEncoderConfig te = folder.textEncoderConfig();
        UNetConfig unet = folder.unetConfig();
        AutoencoderKL vae = new AutoencoderKL(folder.vaeConfig(), ComposedKernels.INSTANCE);
        long encoder = vae.namedParameters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("encoder.") || e.getKey().startsWith("quant_conv."))
                .mapToLong(e -> e.getValue().shape().size()).sum();
        boolean sd2 = unet.useLinearProjection() || unet.attentionHeadDim().size() > 1 || "gelu".equals(te.hiddenAct());
        TextEncoderConfig te2 = folder.textEncoder2Config().orElse(null);
        String encoders = "text encoder " + te.numHiddenLayers() + " layers × " + te.hiddenSize() + ", " + te.hiddenAct()
                + (te2 == null ? "" : "; text encoder 2 " + te2.numHiddenLayers() + " layers × " + te2.hiddenSize() + ", "
                        + te2.hiddenAct() + ", projection " + te2.projectionDim());
        String family = (te2 != null ? "Stable Diffusion XL" : sd2 ? "Stable Diffusion 2.x" : "Stable Diffusion 1.x")
                + " layout (UNet blocks " + unet.blockOutChannels() + ", " + encoders + ")";
        long textParameters = new ClipTextModel(te, ComposedKernels.INSTANCE).parameterCount()
                + (te2 == null ? 0 : new ClipTextModel(te2, ComposedKernels.INSTANCE).parameterCount());
        return new ModelSummary(family, folder.schedulerConfig().predictionType(), folder.tokenWidths(), te.vocabSize(),
                textParameters,
                new UNet2DCondition(unet, ComposedKernels.INSTANCE).parameterCount(), vae.parameterCount(), encoder,
                te2 == null ? name(folder, "text_encoder", "model")
                        : name(folder, "text_encoder", "model") + " + " + name(folder, "text_encoder_2", "model"),
                name(folder, "unet", "diffusion_pytorch_model"),
                name(folder, "vae", "diffusion_pytorch_model"));
    }

    private static String name(DiffusersFolder folder, String component, String stem) {
        if (!folder.isFolder()) {
            return folder.root().getFileName() + " (" + component + " tensors)";
        }
        try {
            return folder.root().relativize(folder.weightFile(component, stem)).toString();
        } catch (RuntimeException e) {
            return "(missing: " + e.getMessage() + ")";
        }
    }

    public List<String> lines() {
        return List.of(
                "Architecture   " + family,
                "Prediction     " + predictionType,
                tokenWidths.size() == 1
                        ? "Token width    " + tokenWidths.get(0) + " (embeddings for this model are [n, " + tokenWidths.get(0) + "])"
                        : "Token widths   " + tokenWidths.get(0) + " + " + tokenWidths.get(1) + " (embeddings for this model are"
                                + " {clip_l: [n, " + tokenWidths.get(0) + "], clip_g: [n, " + tokenWidths.get(1) + "]})",
                "Vocabulary     " + vocabSize + " tokens",
                String.format("Text encoder%s %,d parameters  %s", tokenWidths.size() > 1 ? "s " : "  ",
                        textEncoderParameters, textEncoderWeights),
                String.format("UNet           %,d parameters  %s", unetParameters, unetWeights),
                String.format("VAE            %,d parameters (encoder %,d)  %s", vaeParameters, vaeEncoderParameters,
                        vaeWeights));
    }
}

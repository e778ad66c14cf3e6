package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * What a single-file checkpoint holds, recognised from its keys and shapes alone (diffusers'
 * {@code infer_diffusers_model_type} rules plus the encoders' prefixes): the family, and for each diffusers
 * component every tensor with the key it comes from. EMA weights ({@code model_ema.*}) are not taken, as
 * diffusers' {@code from_single_file} does by default.
 */
public final class OriginalLayout {

    /** The model families Neologism trains on. */
    public enum Family {
        SD1("SD 1.x"), SD2("SD 2.x"), SDXL("SDXL");

        private final String label;

        Family(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The diffusers components a single file is split into. */
    public enum Component {
        UNET("unet"), VAE("vae"), TEXT_ENCODER("text_encoder"), TEXT_ENCODER_2("text_encoder_2");

        private final String folder;

        Component(String folder) {
            this.folder = folder;
        }

        /** The component's folder name in a diffusers pipeline. */
        public String folder() {
            return folder;
        }
    }

    static final String UNET_IN = UNetKeys.PREFIX + "input_blocks.0.0.weight";

    private final Family family;
    private final Map<Component, List<MappedTensor>> components;
    private final Set<String> unused;

    private OriginalLayout(Family family, Map<Component, List<MappedTensor>> components, Set<String> unused) {
        this.family = family;
        this.components = components;
        this.unused = unused;
    }

    /**
     * Recognises {@code checkpoint}'s layout.
     *
     * @throws UnsupportedModelException naming the file and what it is when it is no SD 1.x/2.x/SDXL base model
     */
    public static OriginalLayout of(OriginalCheckpoint checkpoint) {
        Set<String> keys = new LinkedHashSet<>(checkpoint.tensors().keySet());
        String file = checkpoint.path().toString();
        refuseOtherModels(checkpoint, keys, file);
        Family family = family(keys, file);

        Map<Component, List<MappedTensor>> components = new EnumMap<>(Component.class);
        components.put(Component.UNET, UNetKeys.map(keys));
        List<MappedTensor> vae = reshapeOnlyConvolutions(checkpoint, VaeKeys.map(keys));
        if (vae.isEmpty()) {
            throw new UnsupportedModelException(file + " holds no VAE (no first_stage_model.* or vae.* tensors):"
                    + " it is a UNet-only or pruned checkpoint. Use a complete checkpoint or a diffusers folder.");
        }
        components.put(Component.VAE, vae);
        switch (family) {
            case SD1 -> components.put(Component.TEXT_ENCODER, TextEncoderKeys.clip(keys, TextEncoderKeys.SD1_CLIP));
            case SD2 -> {
                String prefix = TextEncoderKeys.SD2_OPEN_CLIP;
                int blocks = TextEncoderKeys.openClipBlocks(keys, prefix);
                // SD 2.x conditions on the penultimate block: the last one is never run.
                components.put(Component.TEXT_ENCODER, TextEncoderKeys.openClip(keys, prefix,
                        width(checkpoint, prefix + "token_embedding.weight"), blocks - 1, false));
            }
            case SDXL -> {
                components.put(Component.TEXT_ENCODER, TextEncoderKeys.clip(keys, TextEncoderKeys.SDXL_CLIP));
                String prefix = TextEncoderKeys.SDXL_OPEN_CLIP;
                components.put(Component.TEXT_ENCODER_2, TextEncoderKeys.openClip(keys, prefix,
                        width(checkpoint, prefix + "token_embedding.weight"),
                        TextEncoderKeys.openClipBlocks(keys, prefix), true));
            }
        }
        Set<String> used = new HashSet<>();
        components.values().forEach(list -> list.forEach(t -> used.add(t.from())));
        Set<String> unused = new LinkedHashSet<>(keys);
        unused.removeAll(used);
        components.replaceAll((c, list) -> List.copyOf(list));
        return new OriginalLayout(family, Collections.unmodifiableMap(components), Collections.unmodifiableSet(unused));
    }

    /** Inpainting, depth, refiner, ControlNet, upscaler and EDM checkpoints are refused by name. */
    private static void refuseOtherModels(OriginalCheckpoint checkpoint, Set<String> keys, String file) {
        String outOfScope = " Textual inversion on it is out of scope for now: use the base model it was made from.";
        if (keys.contains("control_model.time_embed.0.weight")) {
            throw new UnsupportedModelException(file + " is a ControlNet, not a Stable Diffusion model." + outOfScope);
        }
        if (keys.contains("edm_mean")) {
            throw new UnsupportedModelException(file + " is a Playground v2.5 (EDM) model." + outOfScope);
        }
        if (keys.contains("conditioner.embedders.0.model.text_projection")
                || keys.contains("conditioner.embedders.0.model.transformer.resblocks.9.mlp.c_proj.bias")) {
            throw new UnsupportedModelException(file + " is an SDXL refiner (its only text encoder is OpenCLIP)."
                    + outOfScope);
        }
        long[] in = checkpoint.shape(UNET_IN);
        if (in == null) {
            throw new UnsupportedModelException(file + " is not a Stable Diffusion checkpoint in the original layout:"
                    + " it has no " + UNET_IN + (keys.stream().anyMatch(k -> k.startsWith("down_blocks."))
                    ? " (it looks like one diffusers component; give the diffusers folder that holds it)" : "")
                    + ".");
        }
        if (in.length == 4 && in[1] == 9) {
            throw new UnsupportedModelException(file + " is an inpainting model (its UNet takes 9 input channels)."
                    + outOfScope);
        }
        if (in.length == 4 && in[1] == 5) {
            throw new UnsupportedModelException(file + " is a depth-to-image model (its UNet takes 5 input channels)."
                    + outOfScope);
        }
        if (keys.contains(UNetKeys.PREFIX + "input_blocks.10.0.skip_connection.bias")
                && in.length == 4 && in[1] == 7) {
            throw new UnsupportedModelException(file + " is an upscaler." + outOfScope);
        }
        if (in.length != 4 || in[1] != 4) {
            throw new UnsupportedModelException(file + ": the UNet takes " + (in.length == 4 ? in[1] : "?")
                    + " input channels where Stable Diffusion takes 4 latent channels; this is no base model.");
        }
    }

    private static Family family(Set<String> keys, String file) {
        if (keys.contains(TextEncoderKeys.SDXL_OPEN_CLIP + "positional_embedding")) {
            if (!keys.contains(TextEncoderKeys.SDXL_CLIP + "text_model.embeddings.position_embedding.weight")) {
                throw new UnsupportedModelException(file + " has SDXL's second text encoder but not its first"
                        + " (conditioner.embedders.0.transformer.*): the file is incomplete.");
            }
            return Family.SDXL;
        }
        if (keys.contains(TextEncoderKeys.SD2_OPEN_CLIP + "token_embedding.weight")) {
            return Family.SD2;
        }
        if (keys.contains(TextEncoderKeys.SD1_CLIP + "text_model.embeddings.position_embedding.weight")) {
            return Family.SD1;
        }
        throw new UnsupportedModelException(file + " holds no text encoder (no cond_stage_model.* or"
                + " conditioner.embedders.* tensors): it is a UNet-only or pruned checkpoint. Use a complete"
                + " checkpoint or a diffusers folder.");
    }

    private static long width(OriginalCheckpoint checkpoint, String key) {
        long[] shape = checkpoint.shape(key);
        if (shape == null || shape.length != 2) {
            throw new UnsupportedModelException(checkpoint.path() + ": " + key + " is missing or not a matrix;"
                    + " the file is damaged.");
        }
        return shape[1];
    }

    /** The VAE attention's q/k/v/proj_out are 1×1 convolutions in most files but already [C, C] in some. */
    private static List<MappedTensor> reshapeOnlyConvolutions(OriginalCheckpoint checkpoint, List<MappedTensor> vae) {
        List<MappedTensor> fixed = new ArrayList<>(vae.size());
        for (MappedTensor t : vae) {
            boolean conv = checkpoint.shape(t.from()).length == 4;
            fixed.add(t.transform() instanceof TensorTransform.Reshape && !conv
                    ? MappedTensor.copy(t.name(), t.from()) : t);
        }
        return fixed;
    }

    public Family family() {
        return family;
    }

    /** The tensors of {@code component} (empty when the family has no such component). */
    public List<MappedTensor> tensors(Component component) {
        return components.getOrDefault(component, List.of());
    }

    /** The components this family has, in pipeline order. */
    public Set<Component> components() {
        return components.keySet();
    }

    /** Keys no component takes: schedule buffers, EMA weights, {@code position_ids}, SD 2.x's unused last block. */
    public Set<String> unused() {
        return unused;
    }
}

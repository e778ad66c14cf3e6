package org.neologism.trainer.model.single;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neologism.core.root.CheckpointFamily;
import org.neologism.trainer.model.config.UnsupportedModelException;

/**
 * What a single-file checkpoint holds, recognised from its keys and shapes alone (diffusers'
 * {@code infer_diffusers_model_type} rules plus the encoders' prefixes): the family, and for each diffusers
 * component every tensor with the key it comes from. EMA weights ({@code model_ema.*}) are not taken, as
 * diffusers' {@code from_single_file} does by default.
 */
public final class OriginalLayout {

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

    static final String UNET_IN = CheckpointFamily.UNET_IN;

    private final CheckpointFamily family;
    private final Map<Component, List<MappedTensor>> components;
    private final Set<String> unused;

    private OriginalLayout(CheckpointFamily family, Map<Component, List<MappedTensor>> components, Set<String> unused) {
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
        CheckpointFamily family;
        try {
            family = CheckpointFamily.recognise(keys, checkpoint::shape);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(file + " " + e.getMessage(), e);
        }

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

    public CheckpointFamily family() {
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

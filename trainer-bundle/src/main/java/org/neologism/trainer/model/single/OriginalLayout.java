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
 * diffusers' {@code from_single_file} does by default; with {@code extractEma} the UNet's are, as with its
 * {@code extract_ema=True}.
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
    static final String EMA_PREFIX = "model_ema.";
    /** diffusers takes a file as holding EMA weights only above this many {@code model_ema*} keys. */
    static final int EMA_KEY_THRESHOLD = 100;

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
        return of(checkpoint, false);
    }

    /**
     * As {@link #of(OriginalCheckpoint)}; with {@code extractEma} a file that holds EMA weights gives its UNet's
     * EMA copies instead of the trained weights (a file without them gives the trained ones, as in diffusers).
     *
     * @throws UnsupportedModelException also when an EMA file lacks the EMA copy of a UNet tensor
     */
    public static OriginalLayout of(OriginalCheckpoint checkpoint, boolean extractEma) {
        Set<String> keys = new LinkedHashSet<>(checkpoint.tensors().keySet());
        String file = checkpoint.path().toString();
        CheckpointFamily family;
        try {
            family = CheckpointFamily.recognise(keys, checkpoint::shape);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(file + " " + e.getMessage(), e);
        }

        Map<Component, List<MappedTensor>> components = new EnumMap<>(Component.class);
        List<MappedTensor> unet = UNetKeys.map(keys);
        components.put(Component.UNET, extractEma && holdsEma(keys) ? ema(checkpoint, unet) : unet);
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

    /** diffusers' test: more than 100 keys start with {@code model_ema}. */
    static boolean holdsEma(Set<String> keys) {
        return keys.stream().filter(k -> k.startsWith("model_ema")).count() > EMA_KEY_THRESHOLD;
    }

    /**
     * LitEma's name of {@code model.diffusion_model.a.b}: {@code model_ema.diffusion_modelab} (the first
     * component dropped, the dots of the rest removed, as LitEma registers its buffers).
     */
    static String emaKey(String key) {
        return EMA_PREFIX + key.substring(key.indexOf('.') + 1).replace(".", "");
    }

    private static List<MappedTensor> ema(OriginalCheckpoint checkpoint, List<MappedTensor> unet) {
        List<MappedTensor> fromEma = new ArrayList<>(unet.size());
        for (MappedTensor t : unet) {
            String key = emaKey(t.from());
            if (!checkpoint.has(key)) {
                throw new UnsupportedModelException(checkpoint.path() + " holds EMA weights but not " + key + ", the EMA"
                        + " copy of " + t.from() + ": the file is damaged. Load its trained weights instead (without"
                        + " extracting EMA).");
            }
            fromEma.add(new MappedTensor(t.name(), key, t.transform()));
        }
        return fromEma;
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

    /**
     * Keys no component takes: schedule buffers, EMA weights (or, extracting EMA, the trained UNet weights),
     * {@code position_ids}, SD 2.x's unused last block.
     */
    public Set<String> unused() {
        return unused;
    }
}

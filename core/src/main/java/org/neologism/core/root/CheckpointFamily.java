package org.neologism.core.root;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.neologism.core.tensors.SafetensorsEntry;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tensors.TorchCheckpoint;

/**
 * The family of a single-file Stable Diffusion checkpoint (original CompVis/Stability layout), recognised from
 * its keys and a few shapes by the rules diffusers' {@code infer_diffusers_model_type} uses. Inpainting, depth,
 * refiner, ControlNet, upscaler and EDM checkpoints are refused by name.
 */
public enum CheckpointFamily {
    SD1("SD 1.x", true), SD2("SD 2.x", true), SDXL("SDXL", true);

    /** The UNet's first convolution: [channels, input channels, 3, 3]. */
    public static final String UNET_IN = "model.diffusion_model.input_blocks.0.0.weight";
    static final String SD1_CLIP = "cond_stage_model.transformer.text_model.embeddings.position_embedding.weight";
    static final String SD2_OPEN_CLIP = "cond_stage_model.model.token_embedding.weight";
    static final String SDXL_CLIP = "conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight";
    static final String SDXL_OPEN_CLIP = "conditioner.embedders.1.model.positional_embedding";

    private final String label;
    private final boolean trainable;

    CheckpointFamily(String label, boolean trainable) {
        this.label = label;
        this.trainable = trainable;
    }

    public String label() {
        return label;
    }

    /** Whether Neologism has this family's networks (all three since SDXL single files load with both encoders). */
    public boolean trainable() {
        return trainable;
    }

    /** Whether {@code file} is named like a single-file checkpoint ({@code .safetensors}, {@code .ckpt}). */
    public static boolean isCheckpointFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") || name.endsWith(".ckpt");
    }

    /**
     * The family of the checkpoint whose tensors have {@code shapes} (key → shape, absent → null).
     *
     * @throws IllegalArgumentException saying what the checkpoint is when it is no SD 1.x/2.x/SDXL base model
     */
    public static CheckpointFamily recognise(java.util.Set<String> keys, Function<String, long[]> shapes) {
        String outOfScope = " Textual inversion on it is out of scope for now: use the base model it was made from.";
        if (keys.contains("control_model.time_embed.0.weight")) {
            throw new IllegalArgumentException("is a ControlNet, not a Stable Diffusion model." + outOfScope);
        }
        if (keys.contains("edm_mean")) {
            throw new IllegalArgumentException("is a Playground v2.5 (EDM) model." + outOfScope);
        }
        if (keys.contains("conditioner.embedders.0.model.text_projection")
                || keys.contains("conditioner.embedders.0.model.transformer.resblocks.9.mlp.c_proj.bias")) {
            throw new IllegalArgumentException("is an SDXL refiner (its only text encoder is OpenCLIP)." + outOfScope);
        }
        long[] in = shapes.apply(UNET_IN);
        if (in == null) {
            throw new IllegalArgumentException("is not a Stable Diffusion checkpoint in the original layout: it has no "
                    + UNET_IN + (keys.stream().anyMatch(k -> k.startsWith("down_blocks."))
                    ? " (it looks like one diffusers component; give the diffusers folder that holds it)" : "") + ".");
        }
        long inputs = in.length == 4 ? in[1] : -1;
        if (inputs == 9) {
            throw new IllegalArgumentException("is an inpainting model (its UNet takes 9 input channels)." + outOfScope);
        }
        if (inputs == 5) {
            throw new IllegalArgumentException("is a depth-to-image model (its UNet takes 5 input channels)."
                    + outOfScope);
        }
        if (inputs == 7 && keys.contains("model.diffusion_model.input_blocks.10.0.skip_connection.bias")) {
            throw new IllegalArgumentException("is an upscaler." + outOfScope);
        }
        if (inputs != 4) {
            throw new IllegalArgumentException("has a UNet taking " + inputs + " input channels where Stable Diffusion"
                    + " takes 4 latent channels; it is no base model.");
        }
        if (keys.contains(SDXL_OPEN_CLIP)) {
            if (!keys.contains(SDXL_CLIP)) {
                throw new IllegalArgumentException("has SDXL's second text encoder but not its first"
                        + " (conditioner.embedders.0.transformer.*): the file is incomplete.");
            }
            return SDXL;
        }
        if (keys.contains(SD2_OPEN_CLIP)) {
            return SD2;
        }
        if (keys.contains(SD1_CLIP)) {
            return SD1;
        }
        throw new IllegalArgumentException("holds no text encoder (no cond_stage_model.* or conditioner.embedders.*"
                + " tensors): it is a UNet-only or pruned checkpoint. Use a complete checkpoint or a diffusers folder.");
    }

    /**
     * A recognised checkpoint: its family and the widths of its text encoders' token embeddings ({@code tokenWidth2}
     * is SDXL's second encoder, -1 for the others; -1 too where a width cannot be read).
     */
    public record Recognised(CheckpointFamily family, int tokenWidth, int tokenWidth2) {

        public Recognised(CheckpointFamily family, int tokenWidth) {
            this(family, tokenWidth, -1);
        }

        /** The readable widths in encoder order: [768], [1024], SDXL's [768, 1280]; empty when none is readable. */
        public java.util.List<Integer> tokenWidths() {
            if (tokenWidth <= 0) {
                return java.util.List.of();
            }
            return tokenWidth2 > 0 ? java.util.List.of(tokenWidth, tokenWidth2) : java.util.List.of(tokenWidth);
        }
    }

    /** SDXL's second encoder's token embedding. */
    private static final String SDXL_OPEN_CLIP_TOKENS = "conditioner.embedders.1.model.token_embedding.weight";

    /** A token embedding [vocabulary, width]'s width, or -1. */
    private static int width(long[] embedding) {
        return embedding == null || embedding.length != 2 ? -1 : (int) embedding[1];
    }

    /** The token embedding of the family's (first) text encoder: [vocabulary, width]. */
    private String tokenEmbedding() {
        return switch (this) {
            case SD1 -> "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight";
            case SD2 -> SD2_OPEN_CLIP;
            case SDXL -> "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight";
        };
    }

    /**
     * Recognises {@code file} from its header (safetensors) or pickle (.ckpt, read safely); no tensor data is
     * read.
     *
     * @throws IllegalArgumentException naming the file and the problem
     */
    public static Recognised of(Path file) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
                    for (SafetensorsEntry entry : safetensors.entries()) {
                        shapes.put(entry.name(), entry.shape());
                    }
                }
            } else {
                try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                    boolean wrapped = checkpoint.root() instanceof Map<?, ?> map && map.get("state_dict") instanceof Map<?, ?>;
                    String prefix = wrapped ? "state_dict/" : "";
                    checkpoint.tensors().forEach((key, tensor) -> {
                        if (key.startsWith(prefix)) {
                            shapes.put(key.substring(prefix.length()), tensor.shape());
                        }
                    });
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try {
            CheckpointFamily family = recognise(shapes.keySet(), shapes::get);
            return new Recognised(family, width(shapes.get(family.tokenEmbedding())),
                    family == SDXL ? width(shapes.get(SDXL_OPEN_CLIP_TOKENS)) : -1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " " + e.getMessage(), e);
        }
    }
}

package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * The frozen parts of Stable Diffusion a textual-inversion run needs. With {@code fp16} the UNet and
 * the VAE hold half-precision weights while the text encoders, the trainable vectors and the loss stay
 * in float32, as diffusers' mixed precision does. A VAE whose config says {@code force_upcast} (SDXL's)
 * stays in float32, as diffusers' pipelines keep it.
 */
public record FrozenNetworks(TextConditioner text, UNet2DCondition unet, AutoencoderKL vae, DdpmSchedule schedule,
                             DataType unetType, Kernels kernels) {

    /** Loads the networks' weights into {@code manager}, which owns them for the run. */
    public static FrozenNetworks load(DiffusersFolder model, NDManager manager, boolean fp16, Kernels kernels) {
        DataType heavy = fp16 ? DataType.FLOAT16 : DataType.FLOAT32;
        DataType vaeType = model.vaeConfig().forceUpcast() ? DataType.FLOAT32 : heavy;
        return new FrozenNetworks(
                model.loadTextConditioner(manager, DataType.FLOAT32, kernels),
                model.loadUNet(manager, heavy, kernels),
                model.loadVae(manager, vaeType, kernels),
                model.schedule(),
                heavy,
                kernels);
    }

    /** The first (for SD 1.x/2.x the only) text encoder. */
    public ClipTextModel textEncoder() {
        return text.encoders().get(0);
    }

    /**
     * The width of one trainable vector: the token width of the text encoder (768 for SD 1.x, 1024 for SD 2.x),
     * or for SDXL both encoders' widths side by side (768 + 1280), one row per vector holding both halves.
     */
    public int tokenWidth() {
        return text.totalWidth();
    }
}

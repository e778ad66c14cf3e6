package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.ddpm.DdpmSchedule;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * The frozen parts of Stable Diffusion a textual-inversion run needs. With {@code fp16} the UNet and
 * the VAE hold half-precision weights while the text encoder, the trainable vectors and the loss stay
 * in float32, as diffusers' mixed precision does.
 */
public record FrozenNetworks(ClipTextModel textEncoder, UNet2DCondition unet, AutoencoderKL vae, DdpmSchedule schedule,
                             DataType unetType, Kernels kernels) {

    /** Loads the networks' weights into {@code manager}, which owns them for the run. */
    public static FrozenNetworks load(DiffusersFolder model, NDManager manager, boolean fp16, Kernels kernels) {
        DataType heavy = fp16 ? DataType.FLOAT16 : DataType.FLOAT32;
        return new FrozenNetworks(
                model.loadTextEncoder(manager, DataType.FLOAT32, kernels),
                model.loadUNet(manager, heavy, kernels),
                model.loadVae(manager, heavy, kernels),
                model.schedule(),
                heavy,
                kernels);
    }

    /** d, the width of a token embedding: 768 for SD 1.x, 1024 for SD 2.x. */
    public int tokenWidth() {
        return textEncoder.width();
    }
}

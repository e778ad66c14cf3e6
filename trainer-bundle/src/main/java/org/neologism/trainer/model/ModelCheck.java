package org.neologism.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * Loads a model's three networks and runs each once on a small input, reporting load and forward times and
 * whether the outputs are finite: the quickest proof that a folder will train on this machine.
 */
public final class ModelCheck {

    private ModelCheck() {}

    /** @param latentSide latent height and width for the UNet (pixels are this times the VAE's factor) */
    public static List<String> run(DiffusersFolder folder, NDManager manager, DataType type, Kernels kernels,
            int latentSide) {
        List<String> lines = new ArrayList<>();
        try (NDManager weights = manager.newSubManager()) {
            long t0 = System.nanoTime();
            TextConditioner text = folder.loadTextConditioner(weights, type, kernels);
            UNet2DCondition unet = folder.loadUNet(weights, type, kernels);
            AutoencoderKL vae = folder.loadVae(weights, type, kernels);
            lines.add(String.format("Loaded as %s in %.1f s (kernels: %s)", type, seconds(t0), kernels.name()));
            try (NDManager step = weights.newSubManager()) {
                int factor = folder.vaeConfig().scaleFactor();
                t0 = System.nanoTime();
                List<NDArray> ids = new ArrayList<>();
                for (ClipTextModel encoder : text.encoders()) {
                    NDArray row = step.full(new Shape(1, 77), encoder.config().eosTokenId(), DataType.INT64);
                    row.set(new ai.djl.ndarray.index.NDIndex("0, 0"), encoder.config().bosTokenId());
                    ids.add(row);
                }
                Conditioning conditioning = text.condition(ids, null);
                NDArray states = conditioning.promptEmbeds();
                lines.add(describe(text.encoders().size() > 1 ? "Text encoders" : "Text encoder", states, t0));
                t0 = System.nanoTime();
                NDArray pixels = step.zeros(new Shape(1, 3, (long) latentSide * factor, (long) latentSide * factor));
                NDArray latents = vae.encode(pixels).mean().mul((float) vae.scalingFactor());
                lines.add(describe("VAE encoder", latents, t0));
                t0 = System.nanoTime();
                long side = (long) latentSide * factor;
                // SDXL: time ids of an uncropped square image at the checked size.
                AddedConditions added = unet.needsAddedConditions() ? new AddedConditions(
                        conditioning.pooledPromptEmbeds(), step.create(new float[] {side, side, 0, 0, side, side}, new Shape(1, 6)))
                        : null;
                NDArray out = unet.forward(latents, step.create(new long[] {500}), states, added);
                lines.add(describe("UNet", out, t0));
            }
        }
        return lines;
    }

    private static String describe(String network, NDArray out, long start) {
        float[] values = out.toType(DataType.FLOAT32, false).toFloatArray();
        boolean finite = true;
        double sum = 0;
        for (float v : values) {
            finite &= Float.isFinite(v);
            sum += Math.abs(v);
        }
        return String.format("%-13s %s in %.2f s, mean |x| %.4f%s", network, out.getShape(), seconds(start),
                sum / values.length, finite ? "" : "  NOT FINITE");
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}

package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Conv2d;
import org.neologism.trainer.model.nn.Downsample2D;
import org.neologism.trainer.model.nn.GroupNorm;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;

/** diffusers' VAE {@code Encoder}: conv_in, DownEncoderBlock2Ds, mid block, GN, SiLU, conv_out to 2·latent channels. */
final class VaeEncoder extends Module {

    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> blockResnets = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final VaeMidBlock midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    VaeEncoder(VaeConfig config, Kernels kernels) {
        List<Integer> channels = config.blockOutChannels();
        int groups = config.normNumGroups();
        convIn = child("conv_in", new Conv2d(config.inChannels(), channels.get(0), 3, 1, 1));
        long out = channels.get(0);
        for (int i = 0; i < channels.size(); i++) {
            long in = out;
            out = channels.get(i);
            Module block = child("down_blocks." + i, new Module() {});
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnets.add(block.child("resnets." + j,
                        new ResnetBlock2D(kernels, j == 0 ? in : out, out, 0, groups, 1e-6, 1.0)));
            }
            blockResnets.add(resnets);
            downsamplers.add(i < channels.size() - 1 ? block.child("downsamplers.0", new Downsample2D(out, 0)) : null);
        }
        long top = channels.get(channels.size() - 1);
        midBlock = child("mid_block", new VaeMidBlock(kernels, top, groups));
        convNormOut = child("conv_norm_out", new GroupNorm(kernels, groups, top, 1e-6));
        convOut = child("conv_out", new Conv2d(top, 2L * config.latentChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray x) {
        x = convIn.forward(x);
        for (int i = 0; i < blockResnets.size(); i++) {
            for (ResnetBlock2D resnet : blockResnets.get(i)) {
                x = BlockScope.chained(resnet::forward, x, null);
            }
            if (downsamplers.get(i) != null) {
                x = BlockScope.chained(downsamplers.get(i)::forward, x);
            }
        }
        x = midBlock.forward(x);
        return convOut.forward(Activations.SILU.apply(convNormOut.forward(x)));
    }
}

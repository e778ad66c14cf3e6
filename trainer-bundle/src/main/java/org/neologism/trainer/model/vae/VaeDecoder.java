package org.neologism.trainer.model.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.nn.Activations;
import org.neologism.trainer.model.nn.BlockScope;
import org.neologism.trainer.model.nn.Conv2d;
import org.neologism.trainer.model.nn.GroupNorm;
import org.neologism.trainer.model.nn.Kernels;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.ResnetBlock2D;
import org.neologism.trainer.model.nn.Upsample2D;

/** diffusers' VAE {@code Decoder}: conv_in, mid block, UpDecoderBlock2Ds (layers + 1 resnets each), GN, SiLU, conv_out. */
final class VaeDecoder extends Module {

    private final Conv2d convIn;
    private final VaeMidBlock midBlock;
    private final List<List<ResnetBlock2D>> blockResnets = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    VaeDecoder(VaeConfig config, Kernels kernels) {
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        int groups = config.normNumGroups();
        long top = channels.get(blocks - 1);
        convIn = child("conv_in", new Conv2d(config.latentChannels(), top, 3, 1, 1));
        midBlock = child("mid_block", new VaeMidBlock(kernels, top, groups));
        long out = top;
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(blocks - 1 - i);
            Module block = child("up_blocks." + i, new Module() {});
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                resnets.add(block.child("resnets." + j,
                        new ResnetBlock2D(kernels, j == 0 ? in : out, out, 0, groups, 1e-6, 1.0)));
            }
            blockResnets.add(resnets);
            upsamplers.add(i < blocks - 1 ? block.child("upsamplers.0", new Upsample2D(out)) : null);
        }
        convNormOut = child("conv_norm_out", new GroupNorm(kernels, groups, channels.get(0), 1e-6));
        convOut = child("conv_out", new Conv2d(channels.get(0), config.outChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray z) {
        NDArray x = midBlock.forward(convIn.forward(z));
        for (int i = 0; i < blockResnets.size(); i++) {
            for (ResnetBlock2D resnet : blockResnets.get(i)) {
                x = BlockScope.chained(resnet::forward, x, null);
            }
            if (upsamplers.get(i) != null) {
                x = BlockScope.chained(upsamplers.get(i)::forward, x, null);
            }
        }
        return convOut.forward(Activations.SILU.apply(convNormOut.forward(x)));
    }
}

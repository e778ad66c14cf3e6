package org.neologism.trainer.model;

import static org.neologism.trainer.model.GoldenTensors.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * DJL's {@code mul(Number)} makes a scalar tensor over a direct buffer and closes it at once; autograd
 * keeps that tensor for the backward pass, and after a GC its memory is freed and reused. The networks
 * therefore never multiply a gradient-carrying tensor by a Java number: a garbage collection between the
 * forward and the backward pass must not change the gradient.
 */
class GradientLifetimeTest {

    static List<Object[]> cases() {
        return KernelChoice.crossVariants();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void garbageCollectionBetweenForwardAndBackwardLeavesTheGradientUnchanged(GoldenVariant variant, String kernelName)
            throws Exception {
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager();
                SafetensorsFile golden = GoldenTensors.golden(variant, "text_encoder.safetensors");
                SafetensorsFile unetGolden = GoldenTensors.golden(variant, "unet.safetensors")) {
            DiffusersFolder folder = DiffusersFolder.open(variant.modelDir(), WeightFiles.OPENER);
            var kernels = KernelChoice.kernels(kernelName, manager);
            TextConditioner model = folder.loadTextConditioner(manager, DataType.FLOAT32, kernels);
            UNet2DCondition unet = folder.loadUNet(manager, DataType.FLOAT32, kernels);
            float[] reference = gradient(torch, manager, variant, model, unet, unetGolden, false);
            float[] afterGc = gradient(torch, manager, variant, model, unet, unetGolden, true);
            assertClose(variant + " " + kernelName + " gradient with a GC between forward and backward", reference,
                    afterGc, 0, 0);
        }
    }

    /**
     * The gradient of the first encoder's placeholder row. Every encoder (SDXL has two) gets its recorded
     * placeholder ids and random row; SDXL's UNet also gets the recorded time ids and the pooled embedding.
     */
    private static float[] gradient(TorchEngine torch, NDManager parent, GoldenVariant variant, TextConditioner model,
            UNet2DCondition unet, SafetensorsFile unetGolden, boolean collectGarbage)
            throws InterruptedException, IOException {
        try (NDManager step = parent.newSubManager()) {
            List<NDArray> ids = new ArrayList<>();
            List<TokenSplice> splices = new ArrayList<>();
            for (int e = 0; e < model.encoders().size(); e++) {
                String encoder = e == 0 ? "text_encoder" : "text_encoder_" + (e + 1);
                try (SafetensorsFile golden = GoldenTensors.golden(variant, encoder + ".safetensors")) {
                    ids.add(GoldenTensors.array(step, golden, "ph.input_ids"));
                    NDArray row = GoldenTensors.array(step, golden, "ph.placeholder_row_random").reshape(1, -1);
                    row.setRequiresGradient(e == 0);
                    splices.add(new TokenSplice(new long[] {variant.section(encoder).path("placeholder_id").asLong()}, row));
                }
            }
            NDArray vector = splices.get(0).vectors();
            try (GradientCollector collector = torch.engine().newGradientCollector()) {
                Conditioning states = model.condition(ids, splices);
                AddedConditions added = unet.needsAddedConditions() ? new AddedConditions(states.pooledPromptEmbeds(),
                        GoldenTensors.array(step, unetGolden, "main.time_ids")) : null;
                NDArray out = unet.forward(GoldenTensors.array(step, unetGolden, "main.sample"),
                        GoldenTensors.array(step, unetGolden, "main.timesteps"), states.promptEmbeds(), added);
                NDArray loss = out.square().mean();
                if (collectGarbage) {
                    overwriteFreedDirectMemory();
                }
                collector.backward(loss);
            }
            return vector.getGradient().toFloatArray();
        }
    }

    /** Frees unreachable direct buffers and refills small native allocations with garbage. */
    private static void overwriteFreedDirectMemory() throws InterruptedException {
        List<ByteBuffer> junk = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 8) * 4);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
        }
        junk.clear();
    }
}

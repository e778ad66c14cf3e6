package org.neologism.trainer.model;

import static org.neologism.trainer.model.Fixtures.assertClose;

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
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.clip.TokenSplice;
import org.neologism.trainer.model.conditioning.Conditioning;
import org.neologism.trainer.model.conditioning.TextConditioner;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;

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
    void garbageCollectionBetweenForwardAndBackwardLeavesTheGradientUnchanged(String variant, String kernelName)
            throws Exception {
        TorchEngine torch = new TorchEngine();
        try (NDManager manager = torch.newManager();
                SafetensorsFile golden = Fixtures.golden(variant, "text_encoder.safetensors");
                SafetensorsFile unetGolden = Fixtures.golden(variant, "unet.safetensors")) {
            DiffusersFolder folder = DiffusersFolder.open(Fixtures.model(variant), WeightFiles.OPENER);
            var kernels = KernelChoice.kernels(kernelName, manager);
            TextConditioner model = folder.loadTextConditioner(manager, DataType.FLOAT32, kernels);
            UNet2DCondition unet = folder.loadUNet(manager, DataType.FLOAT32, kernels);
            float[] reference = gradient(torch, manager, variant, model, unet, golden, unetGolden, false);
            float[] afterGc = gradient(torch, manager, variant, model, unet, golden, unetGolden, true);
            assertClose(variant + " " + kernelName + " gradient with a GC between forward and backward", reference,
                    afterGc, 0, 0);
        }
    }

    private static float[] gradient(TorchEngine torch, NDManager parent, String variant, TextConditioner model, UNet2DCondition unet,
            SafetensorsFile golden, SafetensorsFile unetGolden, boolean collectGarbage)
            throws InterruptedException, IOException {
        try (NDManager step = parent.newSubManager()) {
            NDArray vector = Fixtures.array(step, golden, "ph.placeholder_row_random").reshape(1, -1);
            vector.setRequiresGradient(true);
            // SDXL: the second encoder gets its own recorded ids and row; only the first row's gradient is compared.
            List<NDArray> ids = new ArrayList<>(List.of(Fixtures.array(step, golden, "ph.input_ids")));
            List<TokenSplice> splices = new ArrayList<>(List.of(new TokenSplice(new long[] {1000}, vector)));
            if (model.encoders().size() > 1) {
                try (SafetensorsFile second = Fixtures.golden(variant, "text_encoder_2.safetensors")) {
                    ids.add(Fixtures.array(step, second, "ph.input_ids"));
                    splices.add(new TokenSplice(new long[] {1000},
                            Fixtures.array(step, second, "ph.placeholder_row_random").reshape(1, -1)));
                }
            }
            try (GradientCollector collector = torch.engine().newGradientCollector()) {
                Conditioning states = model.condition(ids, splices);
                AddedConditions added = unet.needsAddedConditions() ? new AddedConditions(states.pooledPromptEmbeds(),
                        Fixtures.array(step, unetGolden, "main.time_ids")) : null;
                NDArray out = unet.forward(Fixtures.array(step, unetGolden, "main.sample"),
                        Fixtures.array(step, unetGolden, "main.timesteps"),
                        states.promptEmbeds(), added);
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

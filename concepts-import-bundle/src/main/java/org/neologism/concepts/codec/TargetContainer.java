package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.neologism.concepts.document.TorchCheckpoints;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsWriter;

/**
 * Writes a {@code {name: Tensor[n, d]}} dict for the formats that exist in both containers (kohya's
 * {@code emb_params}, OneTrainer's, SDXL pairs). Reading looks at content only, but writing must pick a
 * container: a destination named {@code .pt}, {@code .bin} or {@code .ckpt} gets a PyTorch file,
 * anything else safetensors, which those tools write by default.
 */
final class TargetContainer {

    private TargetContainer() {
    }

    static boolean wantsTorch(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".pt") || name.endsWith(".bin") || name.endsWith(".ckpt");
    }

    /** Writes the named embeddings, each as a float32 {@code [n, d]} matrix, in the order given. */
    static void writeMatrices(Path file, Map<String, Embedding> byName) throws IOException {
        if (wantsTorch(file)) {
            Map<String, Object> content = new LinkedHashMap<>();
            byName.forEach((name, embedding) -> content.put(name, EmbeddingTensors.matrix(embedding)));
            TorchCheckpoints.write(file, content);
            return;
        }
        SafetensorsWriter writer = new SafetensorsWriter();
        byName.forEach((name, embedding) -> writer.addFloats(name, DType.F32,
                new int[] {embedding.vectorCount(), embedding.width()}, embedding.values()));
        writer.write(file);
    }
}

package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.plot.LineChart;

/**
 * The files invokeai-ti leaves in the output folder, written through the codec services:
 * {@code learned_embeds-steps-N.bin} every save_steps, then {@code learned_embeds.bin} and
 * {@code learned_embeds.safetensors}, and the loss curve {@code loss.png}.
 */
final class RunOutputs {

    private final Path outputDir;
    private final String trigger;
    private final int vectorCount;
    private final int width;
    private final Function<String, EmbeddingCodec> codecs;

    RunOutputs(Path outputDir, String trigger, int vectorCount, int width, Function<String, EmbeddingCodec> codecs) {
        this.outputDir = outputDir;
        this.trigger = trigger;
        this.vectorCount = vectorCount;
        this.width = width;
        this.codecs = codecs;
    }

    /**
     * The learned embedding. A single vector is 1-D, as sd-concepts and InvokeAI 2.3 write it and as
     * every loader reads it; several are {@code [n, d]}.
     */
    Embedding embedding(float[] vectors) {
        int[] shape = vectorCount == 1 ? new int[] {width} : new int[] {vectorCount, width};
        return new Embedding(trigger, shape, vectors.clone(), "neologism");
    }

    /** Writes {@code learned_embeds-steps-<step>.bin} and returns it. */
    Path writeIntermediate(long step, float[] vectors) throws IOException {
        Path file = outputDir.resolve("learned_embeds-steps-" + step + ".bin");
        write(EmbeddingCodec.LEARNED_EMBEDS_BIN, embedding(vectors), file);
        return file;
    }

    /** Writes the final files and returns the {@code .bin}. */
    Path writeFinal(float[] vectors) throws IOException {
        Path bin = outputDir.resolve("learned_embeds.bin");
        write(EmbeddingCodec.LEARNED_EMBEDS_BIN, embedding(vectors), bin);
        // diffusers' safetensors files are [n, d] even for one vector.
        Embedding rows = new Embedding(trigger, new int[] {vectorCount, width}, vectors.clone(), "neologism");
        write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, rows, outputDir.resolve("learned_embeds.safetensors"));
        return bin;
    }

    void plotLoss(LossLog log) throws IOException {
        double[] losses = LossLog.read(log.file()).stream().mapToDouble(LossLog.Row::loss).toArray();
        if (losses.length > 0) {
            new LineChart("Training loss of " + trigger, "loss", losses).write(outputDir.resolve("loss.png"));
        }
    }

    private void write(String format, Embedding embedding, Path file) throws IOException {
        EmbeddingCodec codec = codecs.apply(format);
        if (codec == null) {
            throw new IOException("Cannot write " + file + ": no embedding codec '" + format
                    + "' is registered. Is the org.neologism.concepts bundle installed and active?");
        }
        codec.write(List.of(embedding), file);
    }
}

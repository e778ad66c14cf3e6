package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.plot.LineChart;
import org.neologism.core.root.RootFolder;

/**
 * The files a run leaves in the output folder, written through the codec services, and the loss curve
 * {@code loss.png}. One text encoder (SD 1.x/2.x, invokeai-ti's layout): {@code learned_embeds-steps-N.bin}
 * every save_steps, then {@code learned_embeds.bin} and {@code learned_embeds.safetensors}. Two (SDXL, diffusers'
 * SDXL script's layout): {@code learned_embeds(_2)-steps-N.safetensors}, then the pair
 * {@code learned_embeds.safetensors} + {@code learned_embeds_2.safetensors} and the single
 * {@code {clip_l, clip_g}} file that AUTOMATIC1111, ComfyUI, kohya and InvokeAI load.
 */
final class RunOutputs {

    private final Path outputDir;
    private final String trigger;
    private final int vectorCount;
    private final VectorRows rows;
    private final Function<String, EmbeddingCodec> codecs;

    RunOutputs(Path outputDir, String trigger, int vectorCount, VectorRows rows, Function<String, EmbeddingCodec> codecs) {
        this.outputDir = outputDir;
        this.trigger = trigger;
        this.vectorCount = vectorCount;
        this.rows = rows;
        this.codecs = codecs;
    }

    private boolean sdxl() {
        return rows.widths().length > 1;
    }

    /**
     * The learned embedding of a single text encoder. A single vector is 1-D, as sd-concepts and InvokeAI 2.3
     * write it and as every loader reads it; several are {@code [n, d]}.
     */
    Embedding embedding(float[] vectors) {
        int width = rows.rowWidth();
        int[] shape = vectorCount == 1 ? new int[] {width} : new int[] {vectorCount, width};
        return new Embedding(trigger, shape, vectors.clone(), "neologism");
    }

    /** What the library installs: the embedding, or SDXL's clip_l and clip_g halves. */
    List<Embedding> installable(float[] vectors) {
        if (!sdxl()) {
            return List.of(embedding(vectors));
        }
        List<float[]> blocks = rows.split(vectors);
        return List.of(
                new Embedding(trigger, new int[] {vectorCount, rows.widths()[0]}, blocks.get(0), "neologism", Embedding.SDXL_ENCODERS.get(0)),
                new Embedding(trigger, new int[] {vectorCount, rows.widths()[1]}, blocks.get(1), "neologism", Embedding.SDXL_ENCODERS.get(1)));
    }

    /** Writes {@code learned_embeds-steps-<step>.bin} (SDXL: the pair {@code learned_embeds(_2)-steps-<step>.safetensors}) and returns it. */
    Path writeIntermediate(long step, float[] vectors) throws IOException {
        if (!sdxl()) {
            Path file = outputDir.resolve("learned_embeds-steps-" + step + ".bin");
            write(EmbeddingCodec.LEARNED_EMBEDS_BIN, List.of(embedding(vectors)), file);
            return file;
        }
        List<Embedding> perEncoder = perEncoder(vectors);
        Path first = outputDir.resolve("learned_embeds-steps-" + step + ".safetensors");
        write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, List.of(perEncoder.get(0)), first);
        write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, List.of(perEncoder.get(1)),
                outputDir.resolve("learned_embeds_2-steps-" + step + ".safetensors"));
        return first;
    }

    /** Writes the final files and returns the main one ({@code learned_embeds.bin}, or SDXL's single file). */
    Path writeFinal(float[] vectors) throws IOException {
        if (!sdxl()) {
            Path bin = outputDir.resolve("learned_embeds.bin");
            write(EmbeddingCodec.LEARNED_EMBEDS_BIN, List.of(embedding(vectors)), bin);
            // diffusers' safetensors files are [n, d] even for one vector.
            Embedding matrix = new Embedding(trigger, new int[] {vectorCount, rows.rowWidth()}, vectors.clone(), "neologism");
            write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, List.of(matrix), outputDir.resolve("learned_embeds.safetensors"));
            return bin;
        }
        List<Embedding> perEncoder = perEncoder(vectors);
        write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, List.of(perEncoder.get(0)), outputDir.resolve("learned_embeds.safetensors"));
        write(EmbeddingCodec.DIFFUSERS_SAFETENSORS, List.of(perEncoder.get(1)), outputDir.resolve("learned_embeds_2.safetensors"));
        Path single = finalFile();
        write(EmbeddingCodec.SDXL_CLIP_PAIR, installable(vectors), single);
        return single;
    }

    /** The file {@link #writeFinal} returns. */
    Path finalFile() {
        // The single SDXL file's trigger is its name, as A1111 and ComfyUI read it.
        return sdxl() ? outputDir.resolve(RootFolder.folderName(trigger) + ".safetensors") : outputDir.resolve("learned_embeds.bin");
    }

    /** diffusers' per-encoder files: {trigger: [n, d_e]} each, plain single-encoder embeddings. */
    private List<Embedding> perEncoder(float[] vectors) {
        List<float[]> blocks = rows.split(vectors);
        return List.of(new Embedding(trigger, new int[] {vectorCount, rows.widths()[0]}, blocks.get(0), "neologism"),
                new Embedding(trigger, new int[] {vectorCount, rows.widths()[1]}, blocks.get(1), "neologism"));
    }

    void plotLoss(LossLog log) throws IOException {
        double[] losses = LossLog.read(log.file()).stream().mapToDouble(LossLog.Row::loss).toArray();
        if (losses.length > 0) {
            new LineChart("Training loss of " + trigger, "loss", losses).write(outputDir.resolve("loss.png"));
        }
    }

    private void write(String format, List<Embedding> embeddings, Path file) throws IOException {
        EmbeddingCodec codec = codecs.apply(format);
        if (codec == null) {
            throw new IOException("Cannot write " + file + ": no embedding codec '" + format
                    + "' is registered. Is the org.neologism.concepts bundle installed and active?");
        }
        codec.write(embeddings, file);
    }
}

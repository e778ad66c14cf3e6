package org.neologism.core.embedding;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and writes one embedding file format. Each format is a service registered with the property
 * {@value #FORMAT_PROPERTY}; importers ask every codec whether it recognises a file by its content,
 * never by its extension.
 */
public interface EmbeddingCodec {

    /** Service property naming the format, e.g. {@code learned_embeds_bin} or {@code a1111_pt}. */
    String FORMAT_PROPERTY = "codec.format";

    /** diffusers' and InvokeAI's {@code learned_embeds.bin}: a pickled dict of trigger to tensor. */
    String LEARNED_EMBEDS_BIN = "learned_embeds_bin";

    /** diffusers' {@code learned_embeds.safetensors}: the trigger as the tensor's key. */
    String DIFFUSERS_SAFETENSORS = "diffusers_safetensors";

    /** SDXL's single file of AUTOMATIC1111, kohya, ComfyUI and InvokeAI: {@code {clip_l: [n, 768], clip_g: [n, 1280]}}. */
    String SDXL_CLIP_PAIR = "sdxl_clip_pair";

    /** The format's name, equal to the service property. */
    String format();

    /** One line a user reads in {@code ti:info} and {@code ti:export --help}. */
    String description();

    /** Whether this codec recognises the file from its content. Must not throw on garbage. */
    boolean recognises(Path file) throws IOException;

    /**
     * Reads every embedding in the file.
     *
     * @throws InvalidEmbeddingFileException when the file is not valid in this format, naming the file
     */
    List<Embedding> read(Path file) throws IOException;

    /** Writes the embeddings to {@code file} atomically. */
    void write(List<Embedding> embeddings, Path file) throws IOException;
}

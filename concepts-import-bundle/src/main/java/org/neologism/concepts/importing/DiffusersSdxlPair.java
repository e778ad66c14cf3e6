package org.neologism.concepts.importing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/**
 * diffusers' SDXL textual-inversion script writes one embedding as two files side by side:
 * {@code learned_embeds.safetensors} ({trigger: [n, d1]}, text_encoder) and {@code learned_embeds_2.safetensors}
 * ({trigger: [n, d2]}, text_encoder_2), and {@code learned_embeds(_2)-steps-N.safetensors} during a run. Naming
 * either file of such a pair imports both, as the {@code clip_l} and {@code clip_g} halves of one embedding.
 *
 * @param first  the text_encoder file
 * @param second the text_encoder_2 file
 */
record DiffusersSdxlPair(Path first, Path second) {

    private static final String SCRIPT_STEM = "learned_embeds";

    /** The pair {@code file} belongs to, if its partner lies beside it. */
    static Optional<DiffusersSdxlPair> of(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        if (folder == null || !name.endsWith(".safetensors")) {
            return Optional.empty();
        }
        String stem = name.substring(0, name.length() - ".safetensors".length());
        for (String[] names : List.of(
                new String[] {stem, stem + "_2"},
                new String[] {stem.replaceFirst("_2$", ""), stem},
                new String[] {stem, stem.replaceFirst("^" + SCRIPT_STEM + "-", SCRIPT_STEM + "_2-")},
                new String[] {stem.replaceFirst("^" + SCRIPT_STEM + "_2-", SCRIPT_STEM + "-"), stem})) {
            Path first = folder.resolve(names[0] + ".safetensors");
            Path second = folder.resolve(names[1] + ".safetensors");
            if (!names[0].equals(names[1]) && Files.isRegularFile(first) && Files.isRegularFile(second)) {
                return Optional.of(new DiffusersSdxlPair(first, second));
            }
        }
        return Optional.empty();
    }

    /** Both files as clip_l and clip_g; each must hold one single-encoder embedding, both the same trigger. */
    List<Embedding> read(EmbeddingFormats formats) throws IOException {
        Embedding l = only(formats.read(first), first);
        Embedding g = only(formats.read(second), second);
        if (!l.trigger().equals(g.trigger()) || l.vectorCount() != g.vectorCount()) {
            throw new InvalidEmbeddingFileException(second, "does not match " + first.getFileName() + " (" + g.trigger()
                    + " with " + g.vectorCount() + " vectors against " + l.trigger() + " with " + l.vectorCount()
                    + "): the two files of an SDXL pair hold the same trigger and as many vectors");
        }
        List<Embedding> parts = new ArrayList<>();
        parts.add(half(l, SdxlPairCodec.CLIP_L));
        parts.add(half(g, SdxlPairCodec.CLIP_G));
        return parts;
    }

    private static Embedding only(List<Embedding> read, Path file) throws IOException {
        if (read.size() != 1 || read.get(0).isForOneOfSeveralEncoders()) {
            throw new InvalidEmbeddingFileException(file, "is not one half of a diffusers SDXL pair: it holds "
                    + read.size() + " embeddings; import it alone by renaming its partner file");
        }
        return read.get(0);
    }

    private static Embedding half(Embedding embedding, String encoder) {
        int[] shape = {embedding.vectorCount(), embedding.width()};
        return new Embedding(embedding.trigger(), shape, embedding.values(), embedding.sourceFormat(), encoder);
    }
}

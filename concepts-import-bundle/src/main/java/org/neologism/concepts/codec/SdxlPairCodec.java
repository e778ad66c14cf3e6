package org.neologism.concepts.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neologism.concepts.document.TensorDocument;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.osgi.service.component.annotations.Component;

/**
 * SDXL embeddings of kohya and OneTrainer, which A1111 loads: {@code {"clip_l": Tensor[n, 768],
 * "clip_g": Tensor[n, 1280]}}, one matrix per text encoder. It reads as two {@link Embedding}s with the
 * same trigger (the file name), one per encoder, named by {@link Embedding#encoder()} {@code clip_l} and
 * {@code clip_g}; writing takes such a pair.
 */
@Component(service = EmbeddingCodec.class, property = EmbeddingCodec.FORMAT_PROPERTY + "=" + SdxlPairCodec.FORMAT)
public class SdxlPairCodec extends DocumentCodec {

    public static final String FORMAT = EmbeddingCodec.SDXL_CLIP_PAIR;
    public static final String CLIP_L = Embedding.CLIP_L;
    public static final String CLIP_G = Embedding.CLIP_G;

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public String description() {
        return "SDXL (kohya, OneTrainer): {clip_l: Tensor[n, 768], clip_g: Tensor[n, 1280]}, trigger = file name"
                + " (.pt/.bin/.ckpt destination: PyTorch, else safetensors)";
    }

    @Override
    public boolean accepts(TensorDocument document) {
        Map<?, ?> map = document.rootMap();
        return map != null && map.keySet().equals(Set.of(CLIP_L, CLIP_G))
                && EmbeddingTensors.isVectors(map.get(CLIP_L)) && EmbeddingTensors.isVectors(map.get(CLIP_G));
    }

    @Override
    protected List<Embedding> decode(TensorDocument document) throws IOException {
        Map<?, ?> map = document.rootMap();
        String trigger = document.fileStem();
        Embedding l = EmbeddingTensors.toEmbedding(document, "'clip_l'", map.get(CLIP_L), trigger, FORMAT, CLIP_L);
        Embedding g = EmbeddingTensors.toEmbedding(document, "'clip_g'", map.get(CLIP_G), trigger, FORMAT, CLIP_G);
        if (l.vectorCount() != g.vectorCount()) {
            throw new InvalidEmbeddingFileException(document.file(), "has "
                    + l.vectorCount() + " clip_l vectors but " + g.vectorCount()
                    + " clip_g vectors; the two halves of an SDXL embedding have as many vectors");
        }
        return List.of(l, g);
    }

    @Override
    public void write(List<Embedding> embeddings, Path file) throws IOException {
        Map<String, Embedding> byEncoder = new LinkedHashMap<>();
        for (Embedding embedding : embeddings) {
            byEncoder.put(embedding.encoder(), embedding);
        }
        if (embeddings.size() != 2 || !byEncoder.keySet().equals(Set.of(CLIP_L, CLIP_G))) {
            throw new IllegalArgumentException("The " + FORMAT + " format needs the clip_l and clip_g halves of one"
                    + " SDXL embedding; an SD 1.x/2.x embedding has one text encoder, export it with another --format");
        }
        if (byEncoder.get(CLIP_L).vectorCount() != byEncoder.get(CLIP_G).vectorCount()) {
            throw new IllegalArgumentException("The clip_l and clip_g halves of " + embeddings.get(0).trigger()
                    + " differ in vector count");
        }
        Map<String, Embedding> ordered = new LinkedHashMap<>();
        ordered.put(CLIP_G, byEncoder.get(CLIP_G));
        ordered.put(CLIP_L, byEncoder.get(CLIP_L));
        TargetContainer.writeMatrices(file, ordered);
    }

}

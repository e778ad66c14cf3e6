package org.neologism.concepts;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.neologism.concepts.codec.A1111PtCodec;
import org.neologism.concepts.codec.BareTensorCodec;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.KohyaEmbParamsCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.codec.OneTrainerCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.concepts.codec.TextualInversionPtCodec;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/** Every codec of this bundle, as DS registers them, and the fixtures' embedding files they must read. */
public final class AllCodecs {

    private AllCodecs() {
    }

    /** Every embedding file of every golden variant of an architecture the product supports. */
    public static List<Path> embeddingFiles() throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            try (Stream<Path> list = Files.list(variant.file("embeddings"))) {
                files.addAll(list.filter(Files::isRegularFile).sorted().toList());
            }
        }
        assertFalse(files.isEmpty(), "no embedding fixtures");
        return files;
    }

    /** Every codec of this bundle, as DS registers them. */
    public static EmbeddingFormats formats() {
        return new EmbeddingFormats(List.of(new LearnedEmbedsBinCodec(), new DiffusersSafetensorsCodec(),
                new A1111PtCodec(), new TextualInversionPtCodec(), new KohyaEmbParamsCodec(), new OneTrainerCodec(),
                new SdxlPairCodec(), new BareTensorCodec()));
    }
}

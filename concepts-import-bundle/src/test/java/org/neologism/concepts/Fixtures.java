package org.neologism.concepts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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

/** The shared parity fixtures (read through the {@code neologism.fixtures} property) and the codecs. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path root() {
        return org.neologism.testsupport.Fixtures.root();
    }

    /** Every variant folder under golden/. */
    public static List<Path> goldenVariants() throws IOException {
        try (Stream<Path> folders = Files.list(root().resolve("golden"))) {
            List<Path> variants = folders.filter(Files::isDirectory).sorted().toList();
            assertFalse(variants.isEmpty(), "no variants under " + root().resolve("golden"));
            return variants;
        }
    }

    /** Every embedding file of every variant. */
    public static List<Path> embeddingFiles() throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (Path variant : goldenVariants()) {
            try (Stream<Path> list = Files.list(variant.resolve("embeddings"))) {
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

package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.Fixtures;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.library.InvokeAiEmbeddingLibrary;
import org.neologism.core.root.RootFolder;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingConflictException;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

class EmbeddingImporterTest {

    @TempDir
    Path temp;

    private final EmbeddingFormats formats = Fixtures.formats();

    private InvokeAiEmbeddingLibrary library() {
        return InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve("root")), formats);
    }

    private EmbeddingImporter importer() {
        return new EmbeddingImporter(formats, library());
    }

    private Path modelOfWidth(int width) throws IOException {
        Path model = temp.resolve("model-" + width);
        Files.createDirectories(model.resolve("text_encoder"));
        Files.writeString(model.resolve("text_encoder/config.json"), "{\"hidden_size\": " + width + ", \"vocab_size\": 49408}");
        return model;
    }

    private Path embeddingOfWidth(int width) throws IOException {
        Path file = temp.resolve("wide" + width + ".safetensors");
        new DiffusersSafetensorsCodec().write(List.of(new Embedding("<sd2-thing>", new int[] {1, width},
                new float[width], "x")), file);
        return file;
    }

    @Test
    void everyFixtureImportsUnderItsTriggerIntoTheLibrary() throws IOException {
        for (Path variant : Fixtures.goldenVariants()) {
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(variant.getFileName())), formats);
            EmbeddingImporter importer = new EmbeddingImporter(formats, library);
            InstalledEmbedding a1111 = importer.importEmbedding(ImportRequest.of(variant.resolve("embeddings/a1111_embedding.pt")));
            assertEquals("cat-toy", a1111.trigger());
            assertEquals(2, a1111.vectorCount());
            InstalledEmbedding sdxl = importer.importEmbedding(ImportRequest.of(variant.resolve("embeddings/sdxl_embedding.safetensors")));
            assertEquals(2, sdxl.parts().size());
            assertEquals(2, library.list().size());
        }
    }

    @Test
    void aTriggerOptionRenamesTheEmbedding() throws IOException {
        Path raw = Fixtures.goldenVariants().get(0).resolve("embeddings/raw_tensor.pt");
        InstalledEmbedding installed = importer().importEmbedding(
                new ImportRequest(raw, Optional.of("<raw-tensor>"), Optional.empty(), false));
        assertEquals("<raw-tensor>", installed.trigger());
        assertEquals(temp.resolve("root/embeddings/raw-tensor/learned_embeds.bin"), installed.file());
        assertArrayEquals(formats.read(raw).get(0).values(), installed.parts().get(0).values());
    }

    @Test
    void aSecondImportOfTheSameTriggerNeedsForce() throws IOException {
        Path file = Fixtures.goldenVariants().get(0).resolve("embeddings/sd_concepts_learned_embeds.bin");
        importer().importEmbedding(ImportRequest.of(file));
        assertThrows(EmbeddingConflictException.class, () -> importer().importEmbedding(ImportRequest.of(file)));
        importer().importEmbedding(new ImportRequest(file, Optional.empty(), Optional.empty(), true));
    }

    @Test
    void aConceptFolderImports() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("concept"));
        Files.copy(Fixtures.goldenVariants().get(0).resolve("embeddings/sd_concepts_multi_vector.bin"),
                folder.resolve("learned_embeds.bin"));
        Files.writeString(folder.resolve("token_identifier.txt"), "<folder-cat>");
        InstalledEmbedding installed = importer().importEmbedding(ImportRequest.of(folder));
        assertEquals("<folder-cat>", installed.trigger());
        assertEquals(3, installed.vectorCount());
        Path notAConcept = Files.createDirectories(temp.resolve("empty"));
        InvalidEmbeddingFileException error = assertThrows(InvalidEmbeddingFileException.class,
                () -> importer().importEmbedding(ImportRequest.of(notAConcept)));
        assertTrue(error.getMessage().contains("sd-concepts-library folder"), error.getMessage());
    }

    @Test
    void a1024WideEmbeddingIsRefusedByA768WideModelWithInvokeAisMessage() throws IOException {
        EmbeddingWidthMismatchException error = assertThrows(EmbeddingWidthMismatchException.class,
                () -> importer().importEmbedding(new ImportRequest(embeddingOfWidth(1024), Optional.empty(),
                        Optional.of(modelOfWidth(768)), false)));
        assertEquals("Cannot load embedding for <sd2-thing>. It was trained on a model with token dimension 1024,"
                + " but the current model has token dimension 768", error.getMessage());
        assertEquals(List.of(), library().list(), "nothing installed");
        importer().importEmbedding(new ImportRequest(embeddingOfWidth(1024), Optional.empty(), Optional.of(modelOfWidth(1024)), false));
    }

    @Test
    void theFixtureModelsAcceptTheirOwnWidthAndRefuseSdxlsSecondHalf() throws IOException {
        for (Path model : List.of(Fixtures.root().resolve("models/tiny-sd1"), Fixtures.root().resolve("models/tiny-sd2"))) {
            assertEquals(32, ModelTokenWidth.of(model, Embedding.ONLY_ENCODER));
            Path file = Fixtures.goldenVariants().get(0).resolve("embeddings/sd_concepts_learned_embeds.bin");
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(model.getFileName())), formats);
            new EmbeddingImporter(formats, library).importEmbedding(new ImportRequest(file, Optional.empty(), Optional.of(model), false));
            Path sdxl = Fixtures.goldenVariants().get(0).resolve("embeddings/sdxl_embedding.safetensors");
            EmbeddingWidthMismatchException error = assertThrows(EmbeddingWidthMismatchException.class,
                    () -> new EmbeddingImporter(formats, library).importEmbedding(
                            new ImportRequest(sdxl, Optional.empty(), Optional.of(model), false)));
            // InvokeAI's wording, adapted to the two widths of an SDXL embedding.
            assertTrue(error.getMessage().contains("token dimensions 768 (clip_l) and 1280 (clip_g), but the current model"
                    + " has token dimension 32"), error.getMessage());
        }
    }

    @Test
    void aModelFolderWithoutATextEncoderIsNamedWithTheFix() throws IOException {
        IOException error = assertThrows(IOException.class, () -> importer().importEmbedding(new ImportRequest(
                embeddingOfWidth(768), Optional.empty(), Optional.of(temp), false)));
        assertTrue(error.getMessage().startsWith("--model " + temp) && error.getMessage().contains("text_encoder"),
                error.getMessage());
    }
}

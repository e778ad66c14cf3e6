package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
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

    private final EmbeddingFormats formats = AllCodecs.formats();

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
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(variant.name())), formats);
            EmbeddingImporter importer = new EmbeddingImporter(formats, library);
            JsonNode a1111Expected = record(variant, "a1111_embedding.pt").get("expected");
            InstalledEmbedding a1111 = importer.importEmbedding(ImportRequest.of(variant.file("embeddings/a1111_embedding.pt")));
            assertEquals(a1111Expected.get("name").asText(), a1111.trigger());
            assertEquals(a1111Expected.get("string_to_param").get("*").get(0).asInt(), a1111.vectorCount());
            InstalledEmbedding sdxl = importer.importEmbedding(ImportRequest.of(variant.file("embeddings/sdxl_embedding.safetensors")));
            assertEquals(record(variant, "sdxl_embedding.safetensors").get("expected").size(), sdxl.parts().size());
            assertEquals(2, library.list().size());
        }
    }

    /** The embeddings.json record of {@code embeddings/<file>}. */
    private static JsonNode record(GoldenVariant variant, String file) {
        for (JsonNode record : variant.json("embeddings.json").get("files")) {
            if (record.get("file").asText().equals("embeddings/" + file)) {
                return record;
            }
        }
        throw new AssertionError(variant.file("embeddings.json") + " has no record of embeddings/" + file);
    }

    @Test
    void aTriggerOptionRenamesTheEmbedding() throws IOException {
        Path raw = Fixtures.supportedGoldenVariants().get(0).file("embeddings/raw_tensor.pt");
        InstalledEmbedding installed = importer().importEmbedding(
                new ImportRequest(raw, Optional.of("<raw-tensor>"), Optional.empty(), false));
        assertEquals("<raw-tensor>", installed.trigger());
        assertEquals(temp.resolve("root/embeddings/raw-tensor/learned_embeds.bin"), installed.file());
        assertArrayEquals(formats.read(raw).get(0).values(), installed.parts().get(0).values());
    }

    @Test
    void aSecondImportOfTheSameTriggerNeedsForce() throws IOException {
        Path file = Fixtures.supportedGoldenVariants().get(0).file("embeddings/sd_concepts_learned_embeds.bin");
        importer().importEmbedding(ImportRequest.of(file));
        assertThrows(EmbeddingConflictException.class, () -> importer().importEmbedding(ImportRequest.of(file)));
        importer().importEmbedding(new ImportRequest(file, Optional.empty(), Optional.empty(), true));
    }

    @Test
    void aConceptFolderImports() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("concept"));
        GoldenVariant variant = Fixtures.supportedGoldenVariants().get(0);
        Files.copy(variant.file("embeddings/sd_concepts_multi_vector.bin"), folder.resolve("learned_embeds.bin"));
        int vectors = record(variant, "sd_concepts_multi_vector.bin").get("expected").elements().next().get(0).asInt();
        Files.writeString(folder.resolve("token_identifier.txt"), "<folder-cat>");
        InstalledEmbedding installed = importer().importEmbedding(ImportRequest.of(folder));
        assertEquals("<folder-cat>", installed.trigger());
        assertEquals(vectors, installed.vectorCount());
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
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            Path model = variant.modelDir();
            int width = variant.index().path("config").path("text").path("hidden_size").asInt();
            assertEquals(width, ModelTokenWidth.of(model, Embedding.ONLY_ENCODER));
            Path file = variant.file("embeddings/sd_concepts_learned_embeds.bin");
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(variant.name())), formats);
            new EmbeddingImporter(formats, library).importEmbedding(new ImportRequest(file, Optional.empty(), Optional.of(model), false));
            Path sdxl = variant.file("embeddings/sdxl_embedding.safetensors");
            int sdxlWidth = record(variant, "sdxl_embedding.safetensors").get("expected").get("clip_l").get(1).asInt();
            EmbeddingWidthMismatchException error = assertThrows(EmbeddingWidthMismatchException.class,
                    () -> new EmbeddingImporter(formats, library).importEmbedding(
                            new ImportRequest(sdxl, Optional.empty(), Optional.of(model), false)));
            assertTrue(error.getMessage().contains("token dimensions " + sdxlWidth + " (clip_l)")
                    && error.getMessage().contains("the current model has token dimension " + width), error.getMessage());
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

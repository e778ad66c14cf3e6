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
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
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

    /**
     * Every file of both embedding sets imports, without --trigger, under the trigger its record gives, with its
     * vectors, as one part per encoder: one for an SD 1.x/2.x file, clip_l and clip_g for an SDXL file or pair.
     */
    @Test
    void everyFixtureImportsUnderItsTriggerIntoTheLibrary() throws IOException {
        List<EmbeddingFixture> sdxlSet = EmbeddingFixture.sdxlSet();
        List<EmbeddingFixture> fixtures = new java.util.ArrayList<>(EmbeddingFixture.oneEncoderSet());
        fixtures.addAll(sdxlSet);
        for (EmbeddingFixture fixture : fixtures) {
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(
                    new RootFolder(temp.resolve(fixture.variant().name()).resolve(fixture.fileName())), formats);
            InstalledEmbedding installed = new EmbeddingImporter(formats, library).importEmbedding(ImportRequest.of(fixture.file()));
            boolean sdxl = fixture.isSdxlClipPair() || sdxlSet.contains(fixture);
            // An SDXL embedding is installed as <folder>/<folder>.safetensors, whose file name is its trigger.
            assertEquals(sdxl ? RootFolder.folderName(fixture.trigger()) : fixture.trigger(), installed.trigger(), fixture.toString());
            assertEquals(fixture.vectorCount(), installed.vectorCount(), fixture.toString());
            assertEquals(sdxl ? 2 : 1, installed.parts().size(), fixture.toString());
            assertEquals(List.of(installed.trigger()), library.list().stream().map(InstalledEmbedding::trigger).toList());
        }
    }

    @Test
    void aTriggerOptionRenamesTheEmbedding() throws IOException {
        Path bare = EmbeddingFixture.bareTensor().file();
        InstalledEmbedding installed = importer().importEmbedding(
                new ImportRequest(bare, Optional.of("<renamed>"), Optional.empty(), false));
        assertEquals("<renamed>", installed.trigger());
        assertEquals(temp.resolve("root/embeddings/renamed/learned_embeds.bin"), installed.file());
        assertArrayEquals(formats.read(bare).get(0).values(), installed.parts().get(0).values());
    }

    @Test
    void aSecondImportOfTheSameTriggerNeedsForce() throws IOException {
        Path file = EmbeddingFixture.oneVectorTokenDict().file();
        importer().importEmbedding(ImportRequest.of(file));
        assertThrows(EmbeddingConflictException.class, () -> importer().importEmbedding(ImportRequest.of(file)));
        importer().importEmbedding(new ImportRequest(file, Optional.empty(), Optional.empty(), true));
    }

    @Test
    void aConceptFolderImports() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("concept"));
        EmbeddingFixture multi = EmbeddingFixture.multiVectorTokenDict();
        Files.copy(multi.file(), folder.resolve("learned_embeds.bin"));
        Files.writeString(folder.resolve("token_identifier.txt"), "<folder-cat>");
        InstalledEmbedding installed = importer().importEmbedding(ImportRequest.of(folder));
        assertEquals("<folder-cat>", installed.trigger());
        assertEquals(multi.vectorCount(), installed.vectorCount());
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

    /**
     * Each one-encoder variant's model takes a file diffusers loaded into it (so its width is the model's) and
     * refuses the variant's SDXL {clip_l, clip_g} file, naming both widths.
     */
    @Test
    void theFixtureModelsAcceptTheirOwnWidthAndRefuseSdxlsSecondHalf() throws IOException {
        for (GoldenVariant variant : EmbeddingFixture.oneEncoderVariants()) {
            Path model = variant.modelDir();
            EmbeddingFixture fitting = EmbeddingFixture.find(EmbeddingFixture.oneEncoderSet(),
                    "a one-vector token dict of " + variant.name() + " that diffusers loaded",
                    f -> f.variant().equals(variant) && f.diffusersLoadsIt() && f.isTorchTokenDict() && f.vectorCount() == 1);
            int width = fitting.width();
            assertEquals(width, ModelTokenWidth.of(model, Embedding.ONLY_ENCODER));
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(variant.name())), formats);
            new EmbeddingImporter(formats, library).importEmbedding(
                    new ImportRequest(fitting.file(), Optional.empty(), Optional.of(model), false));
            EmbeddingFixture sdxl = EmbeddingFixture.sdxlClipPairOf(variant);
            int sdxlWidth = sdxl.width(SdxlPairCodec.CLIP_L);
            EmbeddingWidthMismatchException error = assertThrows(EmbeddingWidthMismatchException.class,
                    () -> new EmbeddingImporter(formats, library).importEmbedding(
                            new ImportRequest(sdxl.file(), Optional.empty(), Optional.of(model), false)));
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

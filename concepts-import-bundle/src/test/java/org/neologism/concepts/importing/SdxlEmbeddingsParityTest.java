package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.concepts.library.InvokeAiEmbeddingLibrary;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.RootFolder;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * The SDXL embedding files of every variant whose embeddings.json records diffusers' per-encoder SDXL load
 * (the diffusers pair, the single {clip_l, clip_g} file in float32, float16 and kohya's .pt): each imports as
 * the clip_l and clip_g halves with exactly the rows diffusers loaded into text_encoder and text_encoder_2,
 * installs as one {clip_l, clip_g} file, and is refused by a model with one text encoder.
 */
class SdxlEmbeddingsParityTest {

    private static final List<String> HALVES = List.of(SdxlPairCodec.CLIP_L, SdxlPairCodec.CLIP_G);
    private static final List<String> ENCODERS = List.of("text_encoder", "text_encoder_2");

    @TempDir
    Path temp;

    @Test
    void everySdxlFileImportsAsTheRowsDiffusersLoadedIntoEachEncoder() throws IOException {
        EmbeddingFormats formats = AllCodecs.formats();
        for (EmbeddingFixture fixture : EmbeddingFixture.sdxlSet()) {
            Path file = fixture.file();
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(
                    new RootFolder(temp.resolve(fixture.variant().name()).resolve(fixture.fileName())), formats);
            InstalledEmbedding installed = new EmbeddingImporter(formats, library).importEmbedding(
                    new ImportRequest(file, Optional.empty(), Optional.of(fixture.variant().modelDir()), false));
            List<Embedding> parts = new EmbeddingImporter(formats, library).read(file);
            assertEquals(HALVES, parts.stream().map(Embedding::encoder).toList(), file.toString());
            try (SafetensorsFile expected = fixture.expected()) {
                for (int e = 0; e < HALVES.size(); e++) {
                    String rowsKey = fixture.sdxlLoad(ENCODERS.get(e)).path("rows_key").asText();
                    assertArrayEquals(expected.entry(rowsKey).intShape(), parts.get(e).shape(), file + " shape " + rowsKey);
                    assertArrayEquals(expected.readFloats(rowsKey), parts.get(e).values(), file + " rows " + rowsKey);
                    assertEquals(fixture.sdxlLoad(ENCODERS.get(e)).path("added_tokens").size(), parts.get(e).vectorCount(),
                            file + ": one token per vector");
                }
            }
            // The diffusers pair carries its trigger as the key; the single file's trigger is its name, as A1111 reads it.
            assertEquals(fixture.trigger(), parts.get(0).trigger(), file.toString());
            if (!fixture.isSdxlClipPair()) {
                assertEquals(fixture.sdxlLoad(ENCODERS.get(0)).path("added_tokens").get(0).asText(), parts.get(0).trigger(),
                        file + ": the pair's trigger is the token diffusers added");
            }
            // Installed as one {clip_l, clip_g} file whose name is the trigger, as A1111 and InvokeAI read it.
            assertEquals(RootFolder.folderName(fixture.trigger()), installed.trigger(), file.toString());
            assertTrue(installed.file().getFileName().toString().endsWith(".safetensors"), installed.file().toString());
            List<Embedding> reread = formats.read(installed.file());
            assertEquals(HALVES, reread.stream().map(Embedding::encoder).toList(),
                    "the installed file is one {clip_l, clip_g} file");
        }
    }

    @Test
    void anSdxlEmbeddingIsRefusedByAOneEncoderModelAndTheReverse() throws IOException {
        EmbeddingFormats formats = AllCodecs.formats();
        EmbeddingFixture sdxlFile = EmbeddingFixture.sdxlSet().get(0);
        Path sdxlModel = sdxlFile.variant().modelDir();
        Path oneEncoderModel = EmbeddingFixture.oneEncoderVariants().get(0).modelDir();
        EmbeddingImporter importer = new EmbeddingImporter(formats,
                InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve("refusals")), formats));
        EmbeddingWidthMismatchException onOneEncoder = assertThrows(EmbeddingWidthMismatchException.class,
                () -> importer.importEmbedding(new ImportRequest(sdxlFile.file(), Optional.empty(),
                        Optional.of(oneEncoderModel), false)));
        assertTrue(onOneEncoder.getMessage().startsWith("Cannot load embedding for "), onOneEncoder.getMessage());
        assertTrue(onOneEncoder.getMessage().contains("It was trained on a model with token dimensions "), onOneEncoder.getMessage());

        // The widths of the SDXL model's encoders: those of the halves diffusers loaded into it.
        int l = rowsWidth(sdxlFile, ENCODERS.get(0));
        int g = rowsWidth(sdxlFile, ENCODERS.get(1));
        Path single = temp.resolve("single.safetensors");
        formats.codec("diffusers_safetensors").write(List.of(new Embedding("<one>", new int[] {1, l}, new float[l],
                "test")), single);
        EmbeddingWidthMismatchException onSdxl = assertThrows(EmbeddingWidthMismatchException.class,
                () -> importer.importEmbedding(new ImportRequest(single, Optional.empty(), Optional.of(sdxlModel), false)));
        assertEquals("Cannot load embedding for <one>. It was trained on a model with token dimension " + l + ", but the"
                + " current model has token dimensions " + l + " (clip_l) and " + g + " (clip_g)", onSdxl.getMessage());
    }

    /** The width of the rows diffusers loaded into {@code encoder}: that encoder's token width. */
    private static int rowsWidth(EmbeddingFixture fixture, String encoder) throws IOException {
        try (SafetensorsFile expected = fixture.expected()) {
            int[] shape = expected.entry(fixture.sdxlLoad(encoder).path("rows_key").asText()).intShape();
            return shape[shape.length - 1];
        }
    }
}

package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.Fixtures;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    /** (variant folder, file record) for every file diffusers loaded per encoder. */
    private static List<Object[]> sdxlRecords() throws IOException {
        List<Object[]> records = new ArrayList<>();
        for (org.neologism.testsupport.GoldenVariant golden : org.neologism.testsupport.Fixtures.goldenVariants()) {
            Path variant = golden.folder();
            JsonNode files = JSON.readTree(variant.resolve("embeddings.json").toFile()).path("files");
            for (JsonNode record : files) {
                if (record.path("diffusers_sdxl_load").path("ok").asBoolean(false)) {
                    records.add(new Object[] {golden, record});
                }
            }
        }
        return records;
    }

    @Test
    void everySdxlFileImportsAsTheRowsDiffusersLoadedIntoEachEncoder() throws IOException {
        List<Object[]> records = sdxlRecords();
        assertFalse(records.isEmpty(), "no SDXL embedding fixtures");
        EmbeddingFormats formats = Fixtures.formats();
        for (Object[] entry : records) {
            org.neologism.testsupport.GoldenVariant golden = (org.neologism.testsupport.GoldenVariant) entry[0];
            Path variant = golden.folder();
            JsonNode record = (JsonNode) entry[1];
            Path file = variant.resolve(record.get("file").asText());
            JsonNode load = record.get("diffusers_sdxl_load");
            InvokeAiEmbeddingLibrary library = InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve(file.getFileName().toString())),
                    formats);
            InstalledEmbedding installed = new EmbeddingImporter(formats, library).importEmbedding(
                    new ImportRequest(file, Optional.empty(), Optional.of(golden.modelDir()),
                            false));
            List<Embedding> parts = new EmbeddingImporter(formats, library).read(file);
            assertEquals(List.of("clip_l", "clip_g"), parts.stream().map(Embedding::encoder).toList(), file.toString());
            try (SafetensorsFile expected = SafetensorsFile.open(variant.resolve("embeddings_expected.safetensors"))) {
                for (int e = 0; e < 2; e++) {
                    JsonNode encoder = load.get(e == 0 ? "text_encoder" : "text_encoder_2");
                    String rowsKey = encoder.get("rows_key").asText();
                    assertArrayEquals(expected.entry(rowsKey).intShape(), parts.get(e).shape(), file + " shape " + rowsKey);
                    assertArrayEquals(expected.readFloats(rowsKey), parts.get(e).values(), file + " rows " + rowsKey);
                    assertEquals(encoder.get("added_tokens").size(), parts.get(e).vectorCount(), file + ": one token per vector");
                }
            }
            String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            // The pair carries its trigger as the key; the single file's trigger is its name, as A1111 reads it.
            String trigger = load.get("call").asText().contains("token=") ? stem
                    : load.get("text_encoder").get("added_tokens").get(0).asText();
            assertEquals(trigger, parts.get(0).trigger(), file.toString());
            // Installed as one {clip_l, clip_g} file whose name is the trigger, as A1111 and InvokeAI read it.
            assertEquals(RootFolder.folderName(trigger), installed.trigger(), file.toString());
            assertTrue(installed.file().getFileName().toString().endsWith(".safetensors"), installed.file().toString());
            List<Embedding> reread = formats.read(installed.file());
            assertEquals(List.of("clip_l", "clip_g"), reread.stream().map(Embedding::encoder).toList(),
                    "the installed file is one {clip_l, clip_g} file");
        }
    }

    @Test
    void anSdxlEmbeddingIsRefusedByAOneEncoderModelAndTheReverse() throws IOException {
        EmbeddingFormats formats = Fixtures.formats();
        Path sdxlModel = null;
        Path oneEncoderModel = null;
        for (org.neologism.testsupport.GoldenVariant golden : org.neologism.testsupport.Fixtures.goldenVariants()) {
            Path variant = golden.folder();
            Path model = golden.modelDir();
            if (Files.isDirectory(model.resolve("text_encoder_2"))) {
                sdxlModel = model;
            } else {
                oneEncoderModel = model;
            }
        }
        assertTrue(sdxlModel != null && oneEncoderModel != null, "fixtures with and without text_encoder_2");
        Object[] first = sdxlRecords().get(0);
        Path sdxlFile = ((org.neologism.testsupport.GoldenVariant) first[0]).folder().resolve(((JsonNode) first[1]).get("file").asText());
        EmbeddingImporter importer = new EmbeddingImporter(formats,
                InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve("refusals")), formats));
        Path oneEncoder = oneEncoderModel;
        EmbeddingWidthMismatchException onOneEncoder = assertThrows(EmbeddingWidthMismatchException.class,
                () -> importer.importEmbedding(new ImportRequest(sdxlFile, Optional.empty(), Optional.of(oneEncoder), false)));
        assertTrue(onOneEncoder.getMessage().startsWith("Cannot load embedding for "), onOneEncoder.getMessage());
        assertTrue(onOneEncoder.getMessage().contains("It was trained on a model with token dimensions "), onOneEncoder.getMessage());

        int l = ModelTokenWidth.of(sdxlModel, "clip_l");
        int g = ModelTokenWidth.of(sdxlModel, "clip_g");
        Path single = temp.resolve("single.safetensors");
        formats.codec("diffusers_safetensors").write(List.of(new Embedding("<one>", new int[] {1, l}, new float[l],
                "test")), single);
        Path sdxl = sdxlModel;
        EmbeddingWidthMismatchException onSdxl = assertThrows(EmbeddingWidthMismatchException.class,
                () -> importer.importEmbedding(new ImportRequest(single, Optional.empty(), Optional.of(sdxl), false)));
        assertEquals("Cannot load embedding for <one>. It was trained on a model with token dimension " + l + ", but the"
                + " current model has token dimensions " + l + " (clip_l) and " + g + " (clip_g)", onSdxl.getMessage());
    }
}

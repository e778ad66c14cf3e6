package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.BareTensorCodec;
import org.neologism.concepts.codec.KohyaEmbParamsCodec;
import org.neologism.concepts.codec.OneTrainerCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Every embedding file of every golden variant reads, by content alone, to exactly the tensors PyTorch
 * saved (embeddings_expected.safetensors) and, for a one-encoder model, to the rows diffusers loaded, under the
 * trigger diffusers gave it — except where we differ on purpose (see {@link #deliberateDifferences()}). What each
 * file is comes from its embeddings.json record ({@link EmbeddingFixture}), never from its name.
 */
class GoldenEmbeddingsParityTest {

    private final EmbeddingFormats formats = AllCodecs.formats();

    @Test
    void everyFileIsDetectedByContentAsItsFormat() throws IOException {
        for (EmbeddingFixture fixture : EmbeddingFixture.all()) {
            assertEquals(fixture.format(), formats.detect(fixture.file()).codec().format(), fixture.toString());
        }
    }

    @Test
    void throughTheCodecSpiExactlyOneCodecRecognisesEachFile() throws IOException {
        for (EmbeddingFixture fixture : EmbeddingFixture.all()) {
            List<String> recognising = new ArrayList<>();
            for (var codec : formats.codecs()) {
                if (codec.recognises(fixture.file())) {
                    recognising.add(codec.format());
                }
            }
            assertEquals(List.of(fixture.format()), recognising, fixture.toString());
        }
    }

    @Test
    void everyFileReadsToTheTensorsPyTorchSavedBitForBit() throws IOException {
        for (EmbeddingFixture fixture : EmbeddingFixture.all()) {
            Map<String, int[]> tensors = fixture.tensors();
            List<Embedding> parts = formats.read(fixture.file());
            assertEquals(tensors.size(), parts.size(), fixture + ": one part per tensor " + tensors.keySet());
            try (SafetensorsFile expected = fixture.expected()) {
                for (Embedding part : parts) {
                    String tensor = part.isForOneOfSeveralEncoders() ? part.encoder() : fixture.onlyTensor();
                    String key = fixture.expectedFloatKey(expected, tensor);
                    assertArrayEquals(tensors.get(tensor), part.shape(), fixture + " shape of " + tensor);
                    assertArrayEquals(expected.entry(key).intShape(), part.shape(), fixture + " shape of " + key);
                    assertArrayEquals(expected.readFloats(key), part.values(), fixture + " values of " + key);
                }
            }
        }
    }

    @Test
    void everyFileDiffusersLoadsGivesTheRowsDiffusersAddedUnderItsTrigger() throws IOException {
        int compared = 0;
        for (EmbeddingFixture fixture : EmbeddingFixture.oneEncoderSet()) {
            if (!fixture.diffusersLoadsIt()) {
                continue; // SDXL's {clip_l, clip_g}: diffusers refuses the file; see deliberateDifferences
            }
            List<Embedding> parts = formats.read(fixture.file());
            assertEquals(1, parts.size(), fixture.toString());
            Embedding embedding = parts.get(0);
            List<String> added = fixture.diffusersTokens();
            assertEquals(added.size(), embedding.vectorCount(), fixture + ": one token per vector");
            try (SafetensorsFile expected = fixture.expected()) {
                assertArrayEquals(expected.readFloats(fixture.diffusersRowsKey()), embedding.values(), fixture.toString());
            }
            if (fixture.diffusersNamesItAsWeDo()) {
                assertEquals(added.get(0), embedding.trigger(), fixture.toString());
                for (int i = 1; i < added.size(); i++) {
                    assertEquals(embedding.trigger() + "_" + i, added.get(i), fixture.toString());
                }
            }
            compared++;
        }
        assertTrue(compared > 0, "no file diffusers loads");
    }

    /**
     * Where our trigger differs from diffusers, and why: a kohya/A1111 {@code emb_params} file is named
     * after the file (diffusers takes the key "emb_params" as the token); a bare tensor names no token (diffusers
     * needs {@code token=}), so it is the file name too; an SDXL {clip_l, clip_g} file, which diffusers' plain
     * load refuses, reads as two halves named after the file. Importing with --trigger gives any other name.
     */
    @Test
    void deliberateDifferences() throws IOException {
        for (EmbeddingFixture fixture : EmbeddingFixture.oneEncoderSet()) {
            List<Embedding> parts = formats.read(fixture.file());
            String format = fixture.format();
            if (!fixture.diffusersLoadsIt()) {
                assertTrue(fixture.diffusersLoad().path("error").asText().startsWith("ValueError"), fixture.toString());
                assertEquals(SdxlPairCodec.FORMAT, format, fixture + ": only an SDXL file is refused by diffusers");
                List<String> encoders = new ArrayList<>(fixture.tensors().keySet());
                assertEquals(encoders, parts.stream().map(Embedding::encoder).toList());
                assertEquals(encoders.stream().map(fixture::width).toList(), parts.stream().map(Embedding::width).toList());
                assertTrue(parts.stream().allMatch(p -> p.trigger().equals(fixture.stem())), fixture.toString());
            } else if (format.equals(BareTensorCodec.FORMAT)) {
                assertEquals(fixture.stem(), parts.get(0).trigger(), fixture + ": a bare tensor is named after its file");
                assertEquals(fixture.record().path("diffusers_token_arg").asText(), fixture.diffusersTokens().get(0),
                        fixture + ": diffusers names it after its token= argument");
            } else if (format.equals(KohyaEmbParamsCodec.FORMAT) || format.equals(OneTrainerCodec.FORMAT)) {
                assertEquals(fixture.stem(), parts.get(0).trigger(), fixture + ": emb_params is named after its file");
                assertEquals(fixture.onlyTensor(), fixture.diffusersTokens().get(0), fixture + ": diffusers takes the key");
            } else {
                assertTrue(fixture.diffusersNamesItAsWeDo(), fixture.toString());
                assertEquals(fixture.trigger(), parts.get(0).trigger(), fixture.toString());
            }
        }
    }

    /** Every fp16 and bf16 file reads as the exact float32 values of its halves; a bf16 is a float32's upper half. */
    @Test
    void theFp16AndBf16FilesReadAsTheExactFloatsOfTheirHalves() throws IOException {
        for (String dtype : List.of("F16", "BF16")) {
            for (EmbeddingFixture fixture : EmbeddingFixture.every(EmbeddingFixture.all(), "stored in " + dtype,
                    f -> f.dtype().equals(dtype))) {
                try (SafetensorsFile expected = fixture.expected()) {
                    for (Embedding part : formats.read(fixture.file())) {
                        String tensor = part.isForOneOfSeveralEncoders() ? part.encoder() : fixture.onlyTensor();
                        assertEquals(dtype, expected.entry(fixture.expectedKey(tensor)).dtype().name(), fixture.toString());
                        // PyTorch's float32 copy where embeddings_expected has one, else the halves widened
                        assertArrayEquals(expected.readFloats(fixture.expectedFloatKey(expected, tensor)), part.values(),
                                fixture + " " + tensor);
                        if (dtype.equals("BF16")) {
                            for (float v : part.values()) {
                                assertEquals(0, Float.floatToRawIntBits(v) & 0xffff, "bf16 is the upper half of a float32");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The training script's {@code --no_safe_serialization} output is a view into the whole token embedding
     * matrix (storage offset = placeholder id × D); it reads to the same vectors as the safetensors output of the
     * same run. The runs and their files are those index.json's train section lists.
     */
    @Test
    void theTrainingScriptsBinViewReadsLikeItsSafetensors() throws IOException {
        int compared = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (JsonNode run : variant.section("train").path("runs")) {
                List<Path> outputs = new ArrayList<>();
                run.path("output_files").forEach(file -> outputs.add(variant.file(file.asText())));
                List<Path> bins = outputs.stream().filter(f -> f.getFileName().toString().endsWith(".bin")).toList();
                List<Path> safetensorsOutputs = outputs.stream()
                        .filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList();
                for (Path bin : bins) {
                    assertEquals(1, safetensorsOutputs.size(), bin + ": its run lists one safetensors output to compare with");
                    Path safetensors = safetensorsOutputs.get(0);
                    Embedding fromBin = formats.read(bin).get(0);
                    Embedding fromSafetensors = formats.read(safetensors).get(0);
                    assertEquals(fromSafetensors.trigger(), fromBin.trigger());
                    assertArrayEquals(fromSafetensors.shape(), fromBin.shape());
                    assertArrayEquals(fromSafetensors.values(), fromBin.values(), bin.toString());
                    compared++;
                }
            }
        }
        assertTrue(compared > 0, "no training run under " + Fixtures.root().resolve("golden")
                + " lists a .bin output (index.json sections.train.runs[].output_files)");
    }
}

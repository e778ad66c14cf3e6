package org.neologism.concepts.importing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.neologism.concepts.AllCodecs;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * Every embedding file of every golden variant reads, by content alone, to exactly the tensors PyTorch
 * saved (embeddings_expected.safetensors) and to the rows diffusers 0.25 loaded, under the trigger
 * diffusers gave it — except where we differ on purpose (see {@link #deliberateDifferences()}).
 */
class GoldenEmbeddingsParityTest {

    /** What each fixture file is, by the format a user would name it. */
    private static final Map<String, String> FORMAT_OF = Map.ofEntries(
            Map.entry("sd_concepts_learned_embeds.bin", "learned_embeds_bin"),
            Map.entry("sd_concepts_multi_vector.bin", "learned_embeds_bin"),
            Map.entry("diffusers_script_learned_embeds.bin", "learned_embeds_bin"),
            Map.entry("legacy_nonzip_learned_embeds.bin", "learned_embeds_bin"),
            Map.entry("fp16_learned_embeds.bin", "learned_embeds_bin"),
            Map.entry("storage_offset_view.bin", "learned_embeds_bin"),
            Map.entry("diffusers_script_learned_embeds.safetensors", "diffusers_safetensors"),
            Map.entry("fp16_multi_vector.safetensors", "diffusers_safetensors"),
            Map.entry("bf16_learned_embeds.safetensors", "diffusers_safetensors"),
            Map.entry("a1111_embedding.pt", "a1111_pt"),
            Map.entry("a1111_parameterdict.pt", "textual_inversion_pt"),
            Map.entry("a1111_emb_params.safetensors", "kohya_emb_params"),
            Map.entry("sdxl_embedding.safetensors", "sdxl_clip_pair"),
            Map.entry("raw_tensor.pt", "bare_tensor_pt"));

    private final EmbeddingFormats formats = AllCodecs.formats();

    @Test
    void everyFileIsDetectedByContentAsItsFormat() throws IOException {
        java.util.Set<String> detected = new java.util.TreeSet<>();
        for (Path file : AllCodecs.embeddingFiles()) {
            String name = file.getFileName().toString();
            assertTrue(FORMAT_OF.containsKey(name), "new fixture " + file + ": add its format to this test");
            assertEquals(FORMAT_OF.get(name), formats.detect(file).codec().format(), file.toString());
            detected.add(FORMAT_OF.get(name));
        }
        assertEquals(new java.util.TreeSet<>(FORMAT_OF.values()), detected, "every format has a fixture file");
    }

    @Test
    void throughTheCodecSpiExactlyOneCodecRecognisesEachFile() throws IOException {
        for (Path file : AllCodecs.embeddingFiles()) {
            List<String> recognising = new ArrayList<>();
            for (var codec : formats.codecs()) {
                if (codec.recognises(file)) {
                    recognising.add(codec.format());
                }
            }
            assertEquals(List.of(FORMAT_OF.get(file.getFileName().toString())), recognising, file.toString());
        }
    }

    @Test
    void everyFileReadsToTheTensorsPyTorchSavedBitForBit() throws IOException {
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            try (SafetensorsFile expected = SafetensorsFile.open(variant.file("embeddings_expected.safetensors"))) {
                for (JsonNode record : records(variant)) {
                    Path file = variant.file(record.get("file").asText());
                    for (Embedding part : formats.read(file)) {
                        String key = expectedKey(expected, file.getFileName().toString(), part);
                        assertArrayEquals(expected.entry(key).intShape(), part.shape(), file + " shape of " + key);
                        assertArrayEquals(expected.readFloats(key), part.values(), file + " values of " + key);
                    }
                }
            }
        }
    }

    @Test
    void everyFileDiffusersLoadsGivesTheRowsDiffusersAddedUnderItsTrigger() throws IOException {
        int compared = 0;
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            try (SafetensorsFile expected = SafetensorsFile.open(variant.file("embeddings_expected.safetensors"))) {
                for (JsonNode record : records(variant)) {
                    JsonNode load = record.get("diffusers_load_textual_inversion");
                    if (!load.get("ok").asBoolean()) {
                        continue; // SDXL: diffusers refuses the file; see deliberateDifferences
                    }
                    Path file = variant.file(record.get("file").asText());
                    List<Embedding> parts = formats.read(file);
                    assertEquals(1, parts.size(), file.toString());
                    Embedding embedding = parts.get(0);
                    JsonNode added = load.get("added_tokens");
                    assertEquals(added.size(), embedding.vectorCount(), file + ": one token per vector");
                    assertArrayEquals(expected.readFloats(load.get("rows_key").asText()), embedding.values(), file.toString());
                    if (sameTriggerAsDiffusers(record)) {
                        assertEquals(added.get(0).asText(), embedding.trigger(), file.toString());
                        for (int i = 1; i < added.size(); i++) {
                            assertEquals(embedding.trigger() + "_" + i, added.get(i).asText(), file.toString());
                        }
                    }
                    compared++;
                }
            }
        }
        assertTrue(compared > 0, "no file diffusers loads");
    }

    /**
     * Where our trigger differs from diffusers 0.25, and why: a kohya/A1111 {@code emb_params} file is named
     * after the file (diffusers takes the key "emb_params" as the token); a bare tensor names no token (diffusers
     * needs {@code token=}), so it is the file name too; an SDXL pair, which diffusers refuses, reads as two
     * halves named after the file. Importing with --trigger gives any other name.
     */
    @Test
    void deliberateDifferences() throws IOException {
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            for (JsonNode record : records(variant)) {
                Path file = variant.file(record.get("file").asText());
                JsonNode load = record.get("diffusers_load_textual_inversion");
                List<Embedding> parts = formats.read(file);
                String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                if (!load.get("ok").asBoolean()) {
                    assertTrue(load.get("error").asText().startsWith("ValueError"), file.toString());
                    List<String> encoders = new ArrayList<>();
                    List<Integer> widths = new ArrayList<>();
                    record.get("expected").fields().forEachRemaining(f -> {
                        encoders.add(f.getKey());
                        widths.add(f.getValue().get(f.getValue().size() - 1).asInt());
                    });
                    assertEquals(encoders, parts.stream().map(Embedding::encoder).toList());
                    assertEquals(widths, parts.stream().map(Embedding::width).toList());
                    assertTrue(parts.stream().allMatch(p -> p.trigger().equals(stem)), file.toString());
                } else if (!record.get("diffusers_token_arg").isNull()) {
                    assertEquals(stem, parts.get(0).trigger(), file + ": a bare tensor is named after its file");
                } else if (load.get("added_tokens").get(0).asText().equals("emb_params")) {
                    assertEquals(stem, parts.get(0).trigger(), file + ": emb_params is named after its file");
                } else {
                    assertTrue(sameTriggerAsDiffusers(record), file.toString());
                }
            }
        }
    }

    @Test
    void theFp16AndBf16FilesReadAsTheExactFloatsOfTheirHalves() throws IOException {
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            try (SafetensorsFile expected = SafetensorsFile.open(variant.file("embeddings_expected.safetensors"))) {
                Embedding bf16 = formats.read(variant.file("embeddings/bf16_learned_embeds.safetensors")).get(0);
                Embedding fp16 = formats.read(variant.file("embeddings/fp16_learned_embeds.bin")).get(0);
                String bf16Key = "bf16_learned_embeds.safetensors/" + bf16.trigger();
                String fp16Key = "fp16_learned_embeds.bin/" + fp16.trigger();
                assertEquals("BF16", expected.entry(bf16Key).dtype().name());
                assertEquals("F16", expected.entry(fp16Key).dtype().name());
                assertArrayEquals(expected.readFloats(bf16Key), bf16.values());
                assertArrayEquals(expected.readFloats(fp16Key), fp16.values());
                for (float v : bf16.values()) {
                    assertEquals(0, Float.floatToRawIntBits(v) & 0xffff, "bf16 is the upper half of a float32");
                }
            }
        }
    }

    /**
     * The training script's {@code --no_safe_serialization} output is a view into the whole token embedding
     * matrix (storage offset = placeholder id × D); it reads to the same vectors as the safetensors output.
     */
    @Test
    void theTrainingScriptsBinViewReadsLikeItsSafetensors() throws IOException {
        int compared = 0;
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            try (var runs = java.nio.file.Files.list(variant.file("train_outputs"))) {
                for (Path run : runs.sorted().toList()) {
                    Path bin = run.resolve("learned_embeds.bin");
                    if (!java.nio.file.Files.exists(bin)) {
                        continue;
                    }
                    Embedding fromBin = formats.read(bin).get(0);
                    Embedding fromSafetensors = formats.read(run.resolve("learned_embeds.safetensors")).get(0);
                    assertEquals(fromSafetensors.trigger(), fromBin.trigger());
                    assertArrayEquals(fromSafetensors.shape(), fromBin.shape());
                    assertArrayEquals(fromSafetensors.values(), fromBin.values(), bin.toString());
                    compared++;
                }
            }
        }
        assertTrue(compared >= Fixtures.supportedGoldenVariants().size(), "compared " + compared);
    }

    private static boolean sameTriggerAsDiffusers(JsonNode record) {
        JsonNode load = record.get("diffusers_load_textual_inversion");
        return load.get("ok").asBoolean() && record.get("diffusers_token_arg").isNull()
                && !load.get("added_tokens").get(0).asText().equals("emb_params");
    }

    private static List<JsonNode> records(GoldenVariant variant) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        variant.json("embeddings.json").get("files").forEach(records::add);
        assertFalse(records.isEmpty(), variant.toString());
        return records;
    }

    /** The embeddings_expected key of a part: {@code <file>/<key>}, its float32 copy for fp16/bf16, or {@code <file>}. */
    private static String expectedKey(SafetensorsFile expected, String fileName, Embedding part) {
        List<String> keys = expected.names().stream()
                .filter(k -> k.equals(fileName) || k.startsWith(fileName + "/"))
                .filter(k -> !k.endsWith(".as_float32"))
                .filter(k -> !part.isForOneOfSeveralEncoders() || k.endsWith("/" + part.encoder()))
                .toList();
        assertEquals(1, keys.size(), fileName + " " + part + ": " + keys);
        String key = keys.get(0);
        String asFloat = key + ".as_float32";
        assertNotNull(key);
        return expected.contains(asFloat) ? asFloat : key;
    }
}

package org.neologism.concepts.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tensors.TorchCheckpoint;

/** Every codec writes what it reads, and its PyTorch files have the layout torch.load expects. */
class CodecRoundTripTest {

    @TempDir
    Path temp;

    private final EmbeddingFormats formats = AllCodecs.formats();

    private static Embedding random(String trigger, int vectors, int width, String encoder, long seed) {
        Random random = new Random(seed);
        float[] values = new float[vectors * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new Embedding(trigger, new int[] {vectors, width}, values, "neologism", encoder);
    }

    @Test
    void everySingleEncoderFormatWritesWhatItReadsBackByContent() throws IOException {
        Map<String, String> fileNames = Map.of(
                LearnedEmbedsBinCodec.FORMAT, "learned_embeds.bin",
                DiffusersSafetensorsCodec.FORMAT, "learned_embeds.safetensors",
                A1111PtCodec.FORMAT, "my-concept.pt",
                TextualInversionPtCodec.FORMAT, "any-name.pt",
                KohyaEmbParamsCodec.FORMAT, "my-concept.safetensors",
                OneTrainerCodec.FORMAT, "my-concept.safetensors",
                BareTensorCodec.FORMAT, "my-concept.pt");
        int checked = 0;
        for (EmbeddingCodec codec : formats.codecs()) {
            if (codec.format().equals(SdxlPairCodec.FORMAT)) {
                continue;
            }
            for (int vectors : new int[] {1, 3}) {
                Embedding written = random("my-concept", vectors, 768, Embedding.ONLY_ENCODER, vectors);
                Path file = Files.createDirectories(temp.resolve(codec.format() + vectors)).resolve(fileNames.get(codec.format()));
                codec.write(List.of(written), file);
                EmbeddingFormats.Detected detected = formats.detect(file);
                assertEquals(codec.format(), detected.codec().format(), file.toString());
                Embedding read = detected.read().get(0);
                assertEquals("my-concept", read.trigger(), codec.format());
                assertEquals(vectors, read.vectorCount());
                assertArrayEquals(written.values(), read.values(), codec.format());
                checked++;
            }
        }
        assertEquals(2 * (formats.codecs().size() - 1), checked, "every codec but the SDXL pair's, with 1 and 3 vectors");
    }

    @Test
    void kohyaAndOneTrainerWritePyTorchWhenTheDestinationSaysSo() throws IOException {
        for (EmbeddingCodec codec : List.of(new KohyaEmbParamsCodec(), new OneTrainerCodec())) {
            Path file = temp.resolve(codec.format() + ".pt");
            codec.write(List.of(random("x", 2, 32, "", 5)), file);
            assertEquals(codec.format(), formats.detect(file).codec().format());
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
                assertEquals(TorchCheckpoint.Format.ZIP, checkpoint.format());
            }
        }
    }

    @Test
    void anSdxlPairWritesBothHalvesAndReadsThemBackPerEncoder() throws IOException {
        Embedding l = random("my-style", 2, 768, SdxlPairCodec.CLIP_L, 1);
        Embedding g = random("my-style", 2, 1280, SdxlPairCodec.CLIP_G, 2);
        for (String name : List.of("my-style.safetensors", "my-style.pt")) {
            Path file = temp.resolve(name);
            new SdxlPairCodec().write(List.of(l, g), file);
            List<Embedding> read = formats.read(file);
            assertEquals(List.of("clip_l", "clip_g"), read.stream().map(Embedding::encoder).toList());
            assertArrayEquals(l.values(), read.get(0).values());
            assertArrayEquals(g.values(), read.get(1).values());
            assertEquals("my-style", read.get(0).trigger());
        }
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> new SdxlPairCodec().write(List.of(random("x", 1, 768, "", 3)), temp.resolve("x.safetensors")));
        assertTrue(single.getMessage().contains("clip_l and clip_g"), single.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> new LearnedEmbedsBinCodec().write(List.of(l), temp.resolve("l.bin")));
        assertTrue(half.getMessage().contains("sdxl_clip_pair"), half.getMessage());
    }

    @Test
    void aSingleVectorLearnedEmbedsBinIsOneDimensionalAsSdConceptsAndInvokeAi23Need() throws IOException {
        Path file = temp.resolve("learned_embeds.bin");
        new LearnedEmbedsBinCodec().write(List.of(random("<my-concept>", 1, 768, "", 4)), file);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            assertArrayEquals(new int[] {768}, checkpoint.tensors().get("<my-concept>").intShape());
        }
        Path three = temp.resolve("three/learned_embeds.bin");
        new LearnedEmbedsBinCodec().write(List.of(random("<my-concept>", 3, 768, "", 4)), three);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(three)) {
            assertArrayEquals(new int[] {3, 768}, checkpoint.tensors().get("<my-concept>").intShape());
        }
    }

    @Test
    void diffusersSafetensorsAreTwoDimensionalWithFormatPtMetadata() throws IOException {
        Path file = temp.resolve("learned_embeds.safetensors");
        new DiffusersSafetensorsCodec().write(List.of(new Embedding("<t>", new int[] {4}, new float[] {1, 2, 3, 4}, "x")), file);
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), safetensors.metadata());
            assertArrayEquals(new int[] {1, 4}, safetensors.entry("<t>").intShape());
            assertEquals("F32", safetensors.entry("<t>").dtype().name());
        }
    }

    @Test
    void writtenPyTorchFilesHaveTheTorchSaveZipLayout() throws IOException {
        List<Path> written = new ArrayList<>();
        Embedding embedding = random("my-concept", 2, 32, "", 9);
        for (EmbeddingCodec codec : List.of(new LearnedEmbedsBinCodec(), new A1111PtCodec(),
                new TextualInversionPtCodec(), new BareTensorCodec(), new KohyaEmbParamsCodec())) {
            Path file = Files.createDirectories(temp.resolve(codec.format())).resolve("my_embedding.pt");
            codec.write(List.of(embedding), file);
            written.add(file);
        }
        for (Path file : written) {
            try (ZipFile zip = new ZipFile(file.toFile())) {
                List<String> names = zip.stream().map(ZipEntry::getName).toList();
                assertTrue(names.contains("my_embedding/data.pkl"), file + ": " + names);
                assertTrue(names.contains("my_embedding/version"), file + ": " + names);
                assertFalse(names.contains("my_embedding/byteorder"),
                        file + " has a byteorder entry, which AUTOMATIC1111's safe unpickler refuses: " + names);
                assertTrue(names.contains("my_embedding/data/0"), file + ": " + names);
                assertTrue(zip.stream().allMatch(e -> e.getMethod() == ZipEntry.STORED), file + " has deflated entries");
                byte[] pickle = zip.getInputStream(zip.getEntry("my_embedding/data.pkl")).readAllBytes();
                assertEquals((byte) 0x80, pickle[0], "PROTO");
                assertEquals(2, pickle[1], "protocol 2");
                assertEquals('.', pickle[pickle.length - 1], "STOP");
                assertEquals("3", new String(zip.getInputStream(zip.getEntry("my_embedding/version")).readAllBytes()).strip());
                assertTrue(zip.stream().anyMatch(e -> e.getName().startsWith("my_embedding/data/") && e.getSize() == 2 * 32 * 4),
                        file + " stores the 2 x 32 float32 vectors as one storage");
            }
        }
    }

    @Test
    void theA1111FileCarriesItsFieldsAndARequiresGradParameterLikeA1111Writes() throws IOException {
        Path file = temp.resolve("my-concept.pt");
        new A1111PtCodec().write(List.of(random("my-concept", 2, 32, "", 1)), file);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            Map<?, ?> root = (Map<?, ?>) checkpoint.root();
            assertEquals(List.of("string_to_token", "string_to_param", "name", "step", "sd_checkpoint", "sd_checkpoint_name"),
                    List.copyOf(root.keySet().stream().map(Object::toString).toList()));
            assertEquals(Map.of("*", 265L), root.get("string_to_token"));
            assertEquals("my-concept", root.get("name"));
            assertTrue(checkpoint.tensors().get("string_to_param/*").requiresGrad());
        }
    }

    @Test
    void writingOneFormatWithSeveralEmbeddingsIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new LearnedEmbedsBinCodec().write(List.of(random("a", 1, 8, "", 1), random("b", 1, 8, "", 2)),
                        temp.resolve("two.bin")));
        assertTrue(error.getMessage().contains("exactly one"), error.getMessage());
    }
}

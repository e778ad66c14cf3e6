package org.neologism.concepts.library;

import org.neologism.core.root.RootFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.KohyaEmbParamsCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingConflictException;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.tensors.TorchCheckpoint;

class InvokeAiEmbeddingLibraryTest {

    @TempDir
    Path root;

    private InvokeAiEmbeddingLibrary library() {
        return InvokeAiEmbeddingLibrary.at(new RootFolder(root), AllCodecs.formats());
    }

    private static Embedding embedding(String trigger, int vectors, float fill) {
        float[] values = new float[vectors * 8];
        java.util.Arrays.fill(values, fill);
        return new Embedding(trigger, new int[] {vectors, 8}, values, "neologism");
    }

    @Test
    void aTriggerIsInstalledWhereInvokeAiLooksWithASingleVectorWrittenOneDimensional() throws IOException {
        InstalledEmbedding installed = library().install(embedding("<my-concept>", 1, 0.5f), false);
        Path expected = root.resolve("embeddings/my-concept/learned_embeds.bin");
        assertEquals(expected, installed.file());
        assertEquals("learned_embeds_bin", installed.format());
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(expected)) {
            assertArrayEquals(new int[] {8}, checkpoint.tensors().get("<my-concept>").intShape());
        }
        assertEquals(List.of("<my-concept>"), library().list().stream().map(InstalledEmbedding::trigger).toList());
        assertEquals(expected, library().find("<my-concept>").orElseThrow().file());
        assertEquals(expected, library().find("my-concept").orElseThrow().file(), "brackets do not make another folder");
    }

    @Test
    void installingAnInstalledTriggerIsRefusedAndNothingIsOverwritten() throws IOException {
        library().install(embedding("<my-concept>", 1, 0.5f), false);
        Path file = root.resolve("embeddings/my-concept/learned_embeds.bin");
        byte[] before = Files.readAllBytes(file);
        EmbeddingConflictException error = assertThrows(EmbeddingConflictException.class,
                () -> library().install(embedding("<my-concept>", 3, 0.25f), false));
        assertTrue(error.getMessage().contains("--force") && error.getMessage().contains(file.toString()), error.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertThrows(EmbeddingConflictException.class, () -> library().install(embedding("my-concept", 1, 1f), false));
    }

    @Test
    void forceReplacesTheEmbeddingAndLeavesNoStagingFilesBehind() throws IOException {
        library().install(embedding("<my-concept>", 1, 0.5f), false);
        InstalledEmbedding replaced = library().install(embedding("<my-concept>", 3, 0.25f), true);
        assertEquals(3, replaced.vectorCount());
        assertEquals(0.25f, replaced.parts().get(0).values()[0]);
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(List.of(root.resolve("embeddings/my-concept/learned_embeds.bin")),
                    all.filter(Files::isRegularFile).toList());
        }
    }

    @Test
    void forceAlsoRemovesAHandCopiedFileWithTheSameTrigger() throws IOException {
        Path handCopied = root.resolve("embeddings/mine/my-concept.safetensors");
        Files.createDirectories(handCopied.getParent());
        new KohyaEmbParamsCodec().write(List.of(embedding("x", 2, 1f)), handCopied);
        assertEquals("my-concept", library().find("my-concept").orElseThrow().trigger());
        assertThrows(EmbeddingConflictException.class, () -> library().install(embedding("<my-concept>", 1, 2f), false));
        library().install(embedding("<my-concept>", 1, 2f), true);
        assertFalse(Files.exists(handCopied));
        assertEquals(1, library().list().size());
    }

    @Test
    void anSdxlPairIsInstalledAsOneSafetensorsFileWithBothHalves() throws IOException {
        Embedding l = new Embedding("my-style", new int[] {2, 768}, new float[2 * 768], "x", "clip_l");
        Embedding g = new Embedding("my-style", new int[] {2, 1280}, new float[2 * 1280], "x", "clip_g");
        InstalledEmbedding installed = library().install(List.of(l, g), false);
        assertEquals(root.resolve("embeddings/my-style/my-style.safetensors"), installed.file());
        assertEquals("sdxl_clip_pair", installed.format());
        assertEquals(2, installed.parts().size());
    }

    @Test
    void removeDeletesTheFileAndItsFolderAndNamesAMissingTrigger() throws IOException {
        library().install(embedding("<my-concept>", 1, 0.5f), false);
        Files.createDirectories(root.resolve("embeddings/keep"));
        Files.writeString(root.resolve("embeddings/keep/notes.txt"), "not an embedding");
        InstalledEmbedding removed = library().remove("<my-concept>");
        assertEquals("<my-concept>", removed.trigger());
        assertFalse(Files.exists(root.resolve("embeddings/my-concept")));
        assertTrue(Files.exists(root.resolve("embeddings/keep/notes.txt")), "unrelated files stay");
        FileNotFoundException missing = assertThrows(FileNotFoundException.class, () -> library().remove("<my-concept>"));
        assertTrue(missing.getMessage().contains("<my-concept>") && missing.getMessage().contains("ti:embeddings"),
                missing.getMessage());
    }

    @Test
    void listingFindsFilesAnywhereUnderEmbeddingsAndSkipsOthers() throws IOException {
        assertEquals(List.of(), library().list(), "no folder yet");
        List<EmbeddingFixture> fixtures = EmbeddingFixture.all();
        for (EmbeddingFixture fixture : fixtures) {
            Path copy = root.resolve("embeddings").resolve(fixture.variant().name()).resolve(fixture.fileName());
            Files.createDirectories(copy.getParent());
            Files.copy(fixture.file(), copy);
        }
        Files.writeString(root.resolve("embeddings/README.txt"), "hello");
        List<InstalledEmbedding> listed = library().list();
        assertEquals(fixtures.size(), listed.size(), "one entry per embedding file, and none for the README");
    }

    @Test
    void aTriggerThatCannotNameAFolderIsRefused() {
        for (String bad : List.of("../evil", "<>", "a/b", ".hidden", "<..>")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> library().install(embedding(bad, 1, 1f), false), bad);
            assertTrue(error.getMessage().contains("--trigger"), error.getMessage());
        }
    }
}

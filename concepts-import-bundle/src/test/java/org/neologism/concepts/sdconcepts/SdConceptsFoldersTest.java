package org.neologism.concepts.sdconcepts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.neologism.core.tensors.TorchCheckpoint;

class SdConceptsFoldersTest {

    @TempDir
    Path temp;

    private final SdConceptsFolders folders = new SdConceptsFolders(AllCodecs.formats());

    /** The token width of the variant's model (index.json config). */
    private static int width(GoldenVariant variant) {
        return variant.index().path("config").path("text").path("hidden_size").asInt();
    }

    /** A concept folder as the library publishes it, built from a fixture file. */
    private Path conceptFolder(GoldenVariant variant) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(variant.name() + "-cat-toy"));
        Files.copy(variant.file("embeddings/sd_concepts_learned_embeds.bin"), folder.resolve("learned_embeds.bin"));
        Files.writeString(folder.resolve("token_identifier.txt"), "<cat-toy>");
        Files.writeString(folder.resolve("type_of_concept.txt"), "object\n");
        Files.createDirectories(folder.resolve("concept_images"));
        Files.copy(variant.file("preprocess_src.png"),
                folder.resolve("concept_images/0.png"));
        Files.writeString(folder.resolve("concept_images/notes.txt"), "not an image");
        return folder;
    }

    @Test
    void aConceptFolderReadsItsEmbeddingTokenTypeAndImages() throws IOException {
        for (GoldenVariant variant : Fixtures.supportedGoldenVariants()) {
            ConceptFolder concept = folders.read(conceptFolder(variant));
            assertEquals("<cat-toy>", concept.embedding().trigger());
            assertArrayEquals(new int[] {width(variant)}, concept.embedding().shape());
            assertEquals("object", concept.typeOfConcept());
            assertEquals(1, concept.images().size());
        }
    }

    @Test
    void theTokenFileNamesTheTrigger() throws IOException {
        Path folder = conceptFolder(Fixtures.supportedGoldenVariants().get(0));
        Files.writeString(folder.resolve("token_identifier.txt"), "<my-cat>");
        assertEquals("<my-cat>", folders.read(folder).embedding().trigger());
    }

    @Test
    void aWrongTypeOrAMissingEmbeddingIsNamed() throws IOException {
        Path folder = conceptFolder(Fixtures.supportedGoldenVariants().get(0));
        Files.writeString(folder.resolve("type_of_concept.txt"), "animal");
        InvalidEmbeddingFileException type = assertThrows(InvalidEmbeddingFileException.class, () -> folders.read(folder));
        assertTrue(type.getMessage().contains("type_of_concept.txt") && type.getMessage().contains("object or style"));
        InvalidEmbeddingFileException empty = assertThrows(InvalidEmbeddingFileException.class, () -> folders.read(temp));
        assertTrue(empty.getMessage().contains("learned_embeds.bin"), empty.getMessage());
    }

    @Test
    void anExportHasTheLibraryLayoutAndAModelCardAndReadsBack() throws IOException {
        GoldenVariant variant = Fixtures.supportedGoldenVariants().get(0);
        Path source = conceptFolder(variant);
        ConceptFolder concept = folders.read(source);
        Path exported = temp.resolve("exported/cat-toy");
        folders.write(new ConceptFolder(concept.embedding(), "style", concept.images()), exported);
        assertEquals("<cat-toy>", Files.readString(exported.resolve("token_identifier.txt")), "no trailing newline");
        assertEquals("style", Files.readString(exported.resolve("type_of_concept.txt")));
        assertTrue(Files.isRegularFile(exported.resolve("concept_images/0.png")));
        String card = Files.readString(exported.resolve("README.md"));
        assertTrue(card.contains("`<cat-toy>`") && card.contains("concept_images/0.png") && card.contains("textual-inversion"), card);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(exported.resolve("learned_embeds.bin"))) {
            assertArrayEquals(new int[] {width(variant)}, checkpoint.tensors().get("<cat-toy>").intShape());
        }
        ConceptFolder back = folders.read(exported);
        assertArrayEquals(concept.embedding().values(), back.embedding().values());
        assertEquals("style", back.typeOfConcept());
        try (Stream<Path> siblings = Files.list(exported.getParent())) {
            assertEquals(List.of(exported), siblings.toList(), "no staging folder left");
        }
    }

    /** InvokeAI 2.3 refuses a 2-D learned_embeds.bin: the card of a multi-vector export says what loads instead. */
    @Test
    void theModelCardSaysWhichToolsLoadTheFoldersLayout() throws IOException {
        Embedding one = new Embedding("<one>", new int[] {4}, new float[4], "x");
        Embedding three = new Embedding("<three>", new int[] {3, 4}, new float[12], "x");
        folders.write(new ConceptFolder(one, "object", List.of()), temp.resolve("one"));
        folders.write(new ConceptFolder(three, "object", List.of()), temp.resolve("three"));
        String single = Files.readString(temp.resolve("one/README.md"));
        String multi = Files.readString(temp.resolve("three/README.md"));
        assertTrue(single.contains("InvokeAI 2.3 and later: copy the folder"), single);
        assertFalse(multi.contains("InvokeAI 2.3 and later"), multi);
        assertTrue(multi.contains("InvokeAI 2.3 refuses a `learned_embeds.bin` with several vectors")
                && multi.contains("`ti:export --format a1111_pt '<three>' three.pt`"), multi);
        for (String card : List.of(single, multi)) {
            assertTrue(card.contains("AUTOMATIC1111 and ComfyUI") && card.contains("load_textual_inversion"), card);
        }
    }

    @Test
    void anExportNeverReplacesAnExistingFolder() throws IOException {
        Path existing = Files.createDirectories(temp.resolve("taken"));
        Embedding embedding = new Embedding("<t>", new int[] {4}, new float[4], "x");
        IOException error = assertThrows(IOException.class,
                () -> folders.write(new ConceptFolder(embedding, "object", List.of()), existing));
        assertTrue(error.getMessage().contains(existing.toString()) && error.getMessage().contains("exists"));
        try (Stream<Path> files = Files.list(existing)) {
            assertFalse(files.findAny().isPresent());
        }
    }
}

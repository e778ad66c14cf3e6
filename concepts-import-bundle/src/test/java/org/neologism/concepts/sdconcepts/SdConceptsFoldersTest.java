package org.neologism.concepts.sdconcepts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;
import org.neologism.core.tensors.TorchCheckpoint;

class SdConceptsFoldersTest {

    @TempDir
    Path temp;

    private final SdConceptsFolders folders = new SdConceptsFolders(AllCodecs.formats());

    /**
     * A concept folder as the library publishes it, built from a fixture learned_embeds.bin: its token file names
     * the fixture's trigger, its concept image is one the test draws.
     */
    private Path conceptFolder(EmbeddingFixture fixture) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(fixture.variant().name() + "-" + fixture.stem()));
        Files.copy(fixture.file(), folder.resolve("learned_embeds.bin"));
        Files.writeString(folder.resolve("token_identifier.txt"), fixture.trigger());
        Files.writeString(folder.resolve("type_of_concept.txt"), "object\n");
        Files.createDirectories(folder.resolve("concept_images"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", folder.resolve("concept_images/0.png").toFile());
        Files.writeString(folder.resolve("concept_images/notes.txt"), "not an image");
        return folder;
    }

    /** Every learned_embeds.bin file of the one-encoder set: what an sd-concepts-library folder holds. */
    @Test
    void aConceptFolderReadsItsEmbeddingTokenTypeAndImages() throws IOException {
        for (EmbeddingFixture fixture : EmbeddingFixture.every(EmbeddingFixture.oneEncoderSet(), "a learned_embeds.bin",
                f -> f.format().equals(LearnedEmbedsBinCodec.FORMAT))) {
            ConceptFolder concept = folders.read(conceptFolder(fixture));
            assertEquals(fixture.trigger(), concept.embedding().trigger());
            assertArrayEquals(fixture.shape(), concept.embedding().shape(), fixture.toString());
            assertEquals("object", concept.typeOfConcept());
            assertEquals(1, concept.images().size());
        }
    }

    @Test
    void theTokenFileNamesTheTrigger() throws IOException {
        Path folder = conceptFolder(EmbeddingFixture.oneVectorTokenDict());
        Files.writeString(folder.resolve("token_identifier.txt"), "<my-cat>");
        assertEquals("<my-cat>", folders.read(folder).embedding().trigger());
    }

    @Test
    void aWrongTypeOrAMissingEmbeddingIsNamed() throws IOException {
        Path folder = conceptFolder(EmbeddingFixture.oneVectorTokenDict());
        Files.writeString(folder.resolve("type_of_concept.txt"), "animal");
        InvalidEmbeddingFileException type = assertThrows(InvalidEmbeddingFileException.class, () -> folders.read(folder));
        assertTrue(type.getMessage().contains("type_of_concept.txt") && type.getMessage().contains("object or style"));
        InvalidEmbeddingFileException empty = assertThrows(InvalidEmbeddingFileException.class, () -> folders.read(temp));
        assertTrue(empty.getMessage().contains("learned_embeds.bin"), empty.getMessage());
    }

    @Test
    void anExportHasTheLibraryLayoutAndAModelCardAndReadsBack() throws IOException {
        EmbeddingFixture fixture = EmbeddingFixture.oneVectorTokenDict();
        String trigger = fixture.trigger();
        Path source = conceptFolder(fixture);
        ConceptFolder concept = folders.read(source);
        Path exported = temp.resolve("exported/concept");
        folders.write(new ConceptFolder(concept.embedding(), "style", concept.images()), exported);
        assertEquals(trigger, Files.readString(exported.resolve("token_identifier.txt")), "no trailing newline");
        assertEquals("style", Files.readString(exported.resolve("type_of_concept.txt")));
        assertTrue(Files.isRegularFile(exported.resolve("concept_images/0.png")));
        String card = Files.readString(exported.resolve("README.md"));
        assertTrue(card.contains("`" + trigger + "`") && card.contains("concept_images/0.png") && card.contains("textual-inversion"),
                card);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(exported.resolve("learned_embeds.bin"))) {
            // One vector is written [d], as sd-concepts-library and InvokeAI 2.3 have it.
            assertArrayEquals(new int[] {fixture.width()}, checkpoint.tensors().get(trigger).intShape());
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

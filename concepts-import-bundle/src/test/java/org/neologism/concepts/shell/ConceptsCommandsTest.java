package org.neologism.concepts.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.Fixtures;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.concepts.library.InvokeAiEmbeddingLibrary;
import org.neologism.core.root.RootFolder;
import org.neologism.core.embedding.EmbeddingConflictException;

class ConceptsCommandsTest {

    @TempDir
    Path temp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private ConceptsCommands commands;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        EmbeddingFormats formats = Fixtures.formats();
        commands = new ConceptsCommands(formats, InvokeAiEmbeddingLibrary.at(new RootFolder(temp.resolve("root")), formats));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
    }

    private String output() {
        String text = printed.toString(StandardCharsets.UTF_8);
        printed.reset();
        return text;
    }

    private static Path fixture(String name) throws IOException {
        return org.neologism.testsupport.Fixtures.anySupportedGoldenVariant().folder().resolve("embeddings").resolve(name);
    }

    @Test
    void importListExportInspectAndRemoveWorkTogether() throws IOException {
        commands._import("", "", "", false, fixture("sd_concepts_multi_vector.bin").toString());
        assertTrue(output().startsWith("Installed <cat-toy> (3 x 32) at "));
        commands._import("", "<raw>", "", false, fixture("raw_tensor.pt").toString());
        output();
        commands.embeddings("");
        List<String> rows = output().lines().toList();
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(0).startsWith("TRIGGER"));
        assertTrue(rows.get(1).matches("<cat-toy>\\s+3 x 32\\s+learned_embeds_bin\\s+.*cat-toy/learned_embeds.bin"), rows.get(1));

        Path exported = temp.resolve("out/cat-toy.pt");
        commands.export("", "a1111_pt", false, "<cat-toy>", exported.toString());
        assertTrue(output().contains("as a1111_pt"));
        commands.inspect(exported.toString());
        String inspection = output();
        assertTrue(inspection.contains("Format     a1111_pt"), inspection);
        assertTrue(inspection.contains("Tensor     string_to_param/*: F32[3, 32]"), inspection);
        assertTrue(inspection.contains("Trigger    <cat-toy>  shape [3, 32]  3 x 32"), inspection);
        assertEquals(3, inspection.lines().filter(l -> l.matches("  vector \\d  norm \\d+\\.\\d{6}")).count(), inspection);

        commands.export("", "kohya_emb_params", false, "<cat-toy>", temp.resolve("out/my-cat.safetensors").toString());
        assertTrue(output().contains("readers will call it my-cat after the file name"));

        Path concept = temp.resolve("out/concept");
        commands.export("", "sd_concepts_folder", false, "<cat-toy>", concept.toString());
        assertTrue(Files.isRegularFile(concept.resolve("README.md")));
        assertTrue(output().contains("as sd_concepts_folder"));

        commands.remove("<raw>");
        assertTrue(output().startsWith("Removed <raw>"));
    }

    @Test
    void userErrorsAreOneClearMessage() throws IOException {
        commands._import("", "", "", false, fixture("sd_concepts_learned_embeds.bin").toString());
        EmbeddingConflictException conflict = assertThrows(EmbeddingConflictException.class,
                () -> commands._import("", "", "", false, fixture("sd_concepts_learned_embeds.bin").toString()));
        assertTrue(conflict.getMessage().contains("--force"));
        IllegalArgumentException noFormat = assertThrows(IllegalArgumentException.class,
                () -> commands.export("", "", false, "<cat-toy>", temp.resolve("x.bin").toString()));
        assertTrue(noFormat.getMessage().contains("--format") && noFormat.getMessage().contains("a1111_pt"));
        IllegalArgumentException badFormat = assertThrows(IllegalArgumentException.class,
                () -> commands.export("", "ckpt", false, "<cat-toy>", temp.resolve("x.bin").toString()));
        assertTrue(badFormat.getMessage().startsWith("--format ckpt is unknown"));
        Path existing = Files.writeString(temp.resolve("taken.bin"), "x");
        IOException taken = assertThrows(IOException.class,
                () -> commands.export("", "learned_embeds_bin", false, "<cat-toy>", existing.toString()));
        assertTrue(taken.getMessage().contains("--force"));
        assertEquals("x", Files.readString(existing));
        commands.export("", "learned_embeds_bin", true, "<cat-toy>", existing.toString());
        assertTrue(output().contains("Wrote"));
    }

    @Test
    void importWithoutArgumentsPrintsItsUsageBecauseGogoHelpCannotFindIt() throws Exception {
        commands._import();
        String usage = output();
        assertTrue(usage.contains("Usage: ti:import [--root <root>] [--trigger <trigger>] [--model <model>] [--force] <source>"), usage);
        assertTrue(usage.contains("diffusers model folder"), usage);
    }

    @Test
    void everyCommandAndParameterIsDocumentedForHelp() {
        List<String> functions = List.of("_import", "export", "embeddings", "inspect", "remove");
        for (Method method : ConceptsCommands.class.getDeclaredMethods()) {
            if (!functions.contains(method.getName())) {
                continue;
            }
            assertTrue(method.isAnnotationPresent(Descriptor.class), method.getName());
            for (Parameter parameter : method.getParameters()) {
                assertTrue(parameter.isAnnotationPresent(Descriptor.class), method.getName() + " " + parameter.getName());
            }
        }
        assertEquals(functions.size() + 1, Arrays.stream(ConceptsCommands.class.getDeclaredMethods())
                .filter(m -> functions.contains(m.getName())).count());
    }
}

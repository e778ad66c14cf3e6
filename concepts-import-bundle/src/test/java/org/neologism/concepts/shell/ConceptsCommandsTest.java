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
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.concepts.AllCodecs;
import org.neologism.concepts.EmbeddingFixture;
import org.neologism.concepts.codec.A1111PtCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.concepts.library.InvokeAiEmbeddingLibrary;
import org.neologism.core.embedding.EmbeddingConflictException;
import org.neologism.core.root.RootFolder;

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
        EmbeddingFormats formats = AllCodecs.formats();
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

    /** A multi-vector learned_embeds.bin through every command: its trigger, count and width from its record. */
    @Test
    void importListExportInspectAndRemoveWorkTogether() throws IOException {
        EmbeddingFixture multi = EmbeddingFixture.multiVectorTokenDict();
        String trigger = multi.trigger();
        int n = multi.vectorCount();
        int d = multi.width();
        commands._import("", "", "", false, multi.file().toString());
        assertTrue(output().startsWith("Installed " + trigger + " (" + n + " x " + d + ") at "));
        commands._import("", "<raw>", "", false, EmbeddingFixture.bareTensor().file().toString());
        output();
        commands.embeddings("");
        List<String> rows = output().lines().toList();
        assertEquals(3, rows.size(), "the header and the two imports: " + rows);
        assertTrue(rows.get(0).startsWith("TRIGGER"));
        assertTrue(rows.stream().anyMatch(row -> row.matches(Pattern.quote(trigger) + "\\s+" + n + " x " + d + "\\s+"
                + LearnedEmbedsBinCodec.FORMAT + "\\s+.*" + Pattern.quote(RootFolder.folderName(trigger) + "/learned_embeds.bin"))),
                rows.toString());

        Path exported = temp.resolve("out/exported.pt");
        commands.export("", A1111PtCodec.FORMAT, false, trigger, exported.toString());
        assertTrue(output().contains("as " + A1111PtCodec.FORMAT));
        commands.inspect(exported.toString());
        String inspection = output();
        assertTrue(inspection.contains("Format     " + A1111PtCodec.FORMAT), inspection);
        assertTrue(inspection.contains("Tensor     string_to_param/*: F32[" + n + ", " + d + "]"), inspection);
        assertTrue(inspection.contains("Trigger    " + trigger + "  shape [" + n + ", " + d + "]  " + n + " x " + d), inspection);
        assertEquals(n, inspection.lines().filter(l -> l.matches("  vector \\d+  norm \\d+\\.\\d{6}")).count(), inspection);

        commands.export("", "kohya_emb_params", false, trigger, temp.resolve("out/my-cat.safetensors").toString());
        assertTrue(output().contains("readers will call it my-cat after the file name"));

        Path concept = temp.resolve("out/concept");
        commands.export("", "sd_concepts_folder", false, trigger, concept.toString());
        assertTrue(Files.isRegularFile(concept.resolve("README.md")));
        assertTrue(output().contains("as sd_concepts_folder"));

        commands.remove("<raw>");
        assertTrue(output().startsWith("Removed <raw>"));
    }

    @Test
    void userErrorsAreOneClearMessage() throws IOException {
        EmbeddingFixture single = EmbeddingFixture.oneVectorTokenDict();
        String trigger = single.trigger();
        commands._import("", "", "", false, single.file().toString());
        EmbeddingConflictException conflict = assertThrows(EmbeddingConflictException.class,
                () -> commands._import("", "", "", false, single.file().toString()));
        assertTrue(conflict.getMessage().contains("--force"));
        IllegalArgumentException noFormat = assertThrows(IllegalArgumentException.class,
                () -> commands.export("", "", false, trigger, temp.resolve("x.bin").toString()));
        assertTrue(noFormat.getMessage().contains("--format") && noFormat.getMessage().contains(A1111PtCodec.FORMAT));
        IllegalArgumentException badFormat = assertThrows(IllegalArgumentException.class,
                () -> commands.export("", "ckpt", false, trigger, temp.resolve("x.bin").toString()));
        assertTrue(badFormat.getMessage().startsWith("--format ckpt is unknown"));
        Path existing = Files.writeString(temp.resolve("taken.bin"), "x");
        IOException taken = assertThrows(IOException.class,
                () -> commands.export("", LearnedEmbedsBinCodec.FORMAT, false, trigger, existing.toString()));
        assertTrue(taken.getMessage().contains("--force"));
        assertEquals("x", Files.readString(existing));
        commands.export("", LearnedEmbedsBinCodec.FORMAT, true, trigger, existing.toString());
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

package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding commands in the built distribution, on the shared fixtures (read in place, never copied),
 * with a throw-away root folder given by {@code -Dneologism.root} and a throw-away home.
 */
class ConceptsCommandsIT {

    private static final Path FIXTURES = Path.of(System.getProperty("neologism.fixtures"));

    @TempDir
    Path home;

    @TempDir
    Path root;

    private Distribution.Run neologism(String... commands) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("-Dneologism.root=" + root);
        for (String gogo : commands) {
            args.add("--run");
            args.add(gogo);
        }
        return new Distribution(home).run(args.toArray(String[]::new));
    }

    private static List<Path> variants() throws IOException {
        try (Stream<Path> folders = Files.list(FIXTURES.resolve("golden"))) {
            return folders.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyFixtureFormatImportsListsAndExports() throws Exception {
        for (Path variant : variants()) {
            Path embeddings = variant.resolve("embeddings");
            Distribution.Run run = neologism(
                    "ti:import " + embeddings.resolve("sd_concepts_multi_vector.bin"),
                    "ti:import --trigger '<a1111>' " + embeddings.resolve("a1111_embedding.pt"),
                    "ti:import --trigger '<kohya>' " + embeddings.resolve("a1111_emb_params.safetensors"),
                    "ti:import --trigger '<legacy>' " + embeddings.resolve("legacy_nonzip_learned_embeds.bin"),
                    "ti:import " + embeddings.resolve("sdxl_embedding.safetensors"),
                    "ti:embeddings",
                    "ti:export --format a1111_pt '<cat-toy>' " + root.resolve("out/cat-toy.pt"),
                    "ti:inspect " + root.resolve("out/cat-toy.pt"),
                    "ti:export --format sd_concepts_folder '<cat-toy>' " + root.resolve("out/cat-toy-concept"),
                    "ti:import --trigger '<roundtrip>' " + root.resolve("out/cat-toy-concept"),
                    "ti:remove '<legacy>'",
                    "ti:embeddings");
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains("Installed <cat-toy> (3 x 32) at " + root.resolve("embeddings/cat-toy/learned_embeds.bin")), run.out());
            assertTrue(run.out().contains("Installed sdxl_embedding (2 x 768 clip_l + 2 x 1280 clip_g)"), run.out());
            assertTrue(run.out().contains("Format     a1111_pt"), run.out());
            assertTrue(run.out().contains("Tensor     string_to_param/*: F32[3, 32]"), run.out());
            assertTrue(run.out().contains("Removed <legacy>"), run.out());
            List<String> lastListing = run.out().lines().dropWhile(l -> !l.startsWith("Removed <legacy>")).toList();
            assertTrue(lastListing.stream().anyMatch(l -> l.matches("<roundtrip>\\s+3 x 32\\s+learned_embeds_bin\\s+.*")), lastListing.toString());
            assertFalse(lastListing.stream().anyMatch(l -> l.startsWith("<legacy>")), lastListing.toString());
            assertTrue(Files.isRegularFile(root.resolve("out/cat-toy-concept/README.md")));
            assertTrue(Files.isRegularFile(root.resolve("embeddings/kohya/learned_embeds.bin")));
            try (Stream<Path> files = Files.list(home)) {
                assertEquals(List.of(), files.toList(), "nothing written to the home folder");
            }
            neologism("ti:remove '<cat-toy>'", "ti:remove '<a1111>'", "ti:remove '<kohya>'", "ti:remove sdxl_embedding",
                    "ti:remove '<roundtrip>'");
            deleteTree(root.resolve("out"));
        }
    }

    @Test
    void aConflictAndAWidthMismatchFailWithOneClearLine() throws Exception {
        Path embeddings = variants().get(0).resolve("embeddings");
        Distribution.Run first = neologism("ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(0, first.exitCode(), first.err());
        Distribution.Run again = neologism("ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("An embedding with trigger <cat-toy> is installed already at "
                + root.resolve("embeddings/cat-toy/learned_embeds.bin") + "; remove it first (ti:remove '<cat-toy>') or replace it with --force"),
                again.err());
        String advice = again.err().substring(again.err().indexOf("(ti:remove ") + 1, again.err().indexOf(") or replace"));
        Distribution.Run followed = neologism(advice, "ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(0, followed.exitCode(), "the advice '" + advice + "' pasted into the shell: " + followed.err());
        Distribution.Run mismatch = neologism("ti:import --model " + FIXTURES.resolve("models/tiny-sd1") + " "
                + embeddings.resolve("sdxl_embedding.safetensors"));
        assertEquals(1, mismatch.exitCode());
        assertTrue(mismatch.err().contains("Cannot load embedding for sdxl_embedding. It was trained on a model with token"
                + " dimension 768, but the current model has token dimension 32"), mismatch.err());
        Distribution.Run garbage = neologism("ti:inspect " + FIXTURES.resolve("golden").resolve(variants().get(0).getFileName()).resolve("embeddings.json"));
        assertEquals(1, garbage.exitCode());
        assertTrue(garbage.err().contains("embeddings.json: is neither a safetensors file nor a PyTorch checkpoint"), garbage.err());
        assertFalse(garbage.err().contains("\tat "), "no stack trace: " + garbage.err());
    }

    @Test
    void importWithoutArgumentsShowsItsUsage() throws Exception {
        Distribution.Run run = neologism("ti:import", "help ti:export");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage: ti:import [--trigger <trigger>] [--model <model>] [--force] <source>"), run.out());
        assertTrue(run.out().contains("--format"), run.out());
    }

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

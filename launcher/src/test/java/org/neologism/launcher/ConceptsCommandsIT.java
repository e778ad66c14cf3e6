package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * The embedding commands in the built distribution, on the fixtures (read in place, never copied),
 * with a throw-away root folder given by {@code -Dneologism.root} and a throw-away home.
 */
class ConceptsCommandsIT {

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

    private static List<GoldenVariant> variants() {
        return Fixtures.supportedGoldenVariants();
    }

    /** The shape embeddings.json records for the one tensor of {@code embeddings/<file>}, and its key. */
    private static Map.Entry<String, JsonNode> expected(GoldenVariant variant, String file) {
        for (JsonNode record : variant.json("embeddings.json").get("files")) {
            if (record.get("file").asText().equals("embeddings/" + file)) {
                return record.get("expected").fields().next();
            }
        }
        throw new AssertionError(variant.file("embeddings.json") + " has no record of embeddings/" + file);
    }

    /** "n x d" as the commands print a shape. */
    private static String vectors(JsonNode shape) {
        return shape.size() == 1 ? "1 x " + shape.get(0).asInt() : shape.get(0).asInt() + " x " + shape.get(1).asInt();
    }

    @Test
    void everyFixtureFormatImportsListsAndExports() throws Exception {
        for (GoldenVariant variant : variants()) {
            Path embeddings = variant.file("embeddings");
            Map.Entry<String, JsonNode> multi = expected(variant, "sd_concepts_multi_vector.bin");
            String trigger = multi.getKey();
            String shape = vectors(multi.getValue());
            String folder = trigger.replace("<", "").replace(">", "");
            Distribution.Run run = neologism(
                    "ti:import " + embeddings.resolve("sd_concepts_multi_vector.bin"),
                    "ti:import --trigger '<a1111>' " + embeddings.resolve("a1111_embedding.pt"),
                    "ti:import --trigger '<kohya>' " + embeddings.resolve("a1111_emb_params.safetensors"),
                    "ti:import --trigger '<legacy>' " + embeddings.resolve("legacy_nonzip_learned_embeds.bin"),
                    "ti:import " + embeddings.resolve("sdxl_embedding.safetensors"),
                    "ti:embeddings",
                    "ti:export --format a1111_pt '" + trigger + "' " + root.resolve("out/exported.pt"),
                    "ti:inspect " + root.resolve("out/exported.pt"),
                    "ti:export --format sd_concepts_folder '" + trigger + "' " + root.resolve("out/exported-concept"),
                    "ti:import --trigger '<roundtrip>' " + root.resolve("out/exported-concept"),
                    "ti:remove '<legacy>'",
                    "ti:embeddings");
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains("Installed " + trigger + " (" + shape + ") at "
                    + root.resolve("embeddings/" + folder + "/learned_embeds.bin")), run.out());
            JsonNode clip = sdxlShapes(variant);
            assertTrue(run.out().contains("Installed sdxl_embedding (" + vectors(clip.get("clip_l")) + " clip_l + "
                    + vectors(clip.get("clip_g")) + " clip_g)"), run.out());
            assertTrue(run.out().contains("Format     a1111_pt"), run.out());
            assertTrue(run.out().contains("Tensor     string_to_param/*: F32[" + shape.replace(" x ", ", ") + "]"), run.out());
            assertTrue(run.out().contains("Removed <legacy>"), run.out());
            List<String> lastListing = run.out().lines().dropWhile(l -> !l.startsWith("Removed <legacy>")).toList();
            assertTrue(lastListing.stream().anyMatch(l -> l.matches("<roundtrip>\\s+" + shape + "\\s+learned_embeds_bin\\s+.*")), lastListing.toString());
            assertFalse(lastListing.stream().anyMatch(l -> l.startsWith("<legacy>")), lastListing.toString());
            assertTrue(Files.isRegularFile(root.resolve("out/exported-concept/README.md")));
            assertTrue(Files.isRegularFile(root.resolve("embeddings/kohya/learned_embeds.bin")));
            try (Stream<Path> files = Files.list(home)) {
                assertEquals(List.of(), files.toList(), "nothing written to the home folder");
            }
            neologism("ti:remove '" + trigger + "'", "ti:remove '<a1111>'", "ti:remove '<kohya>'", "ti:remove sdxl_embedding",
                    "ti:remove '<roundtrip>'");
            deleteTree(root.resolve("out"));
        }
    }

    @Test
    void aConflictAndAWidthMismatchFailWithOneClearLine() throws Exception {
        GoldenVariant variant = variants().get(0);
        Path embeddings = variant.file("embeddings");
        String trigger = expected(variant, "sd_concepts_learned_embeds.bin").getKey();
        String folder = trigger.replace("<", "").replace(">", "");
        Distribution.Run first = neologism("ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(0, first.exitCode(), first.err());
        Distribution.Run again = neologism("ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("An embedding with trigger " + trigger + " is installed already at "
                + root.resolve("embeddings/" + folder + "/learned_embeds.bin") + "; remove it first (ti:remove '" + trigger
                + "') or replace it with --force"), again.err());
        String advice = again.err().substring(again.err().indexOf("(ti:remove ") + 1, again.err().indexOf(") or replace"));
        Distribution.Run followed = neologism(advice, "ti:import " + embeddings.resolve("sd_concepts_learned_embeds.bin"));
        assertEquals(0, followed.exitCode(), "the advice '" + advice + "' pasted into the shell: " + followed.err());
        Distribution.Run mismatch = neologism("ti:import --model " + variant.modelDir() + " "
                + embeddings.resolve("sdxl_embedding.safetensors"));
        assertEquals(1, mismatch.exitCode());
        int width = variant.index().path("config").path("text").path("hidden_size").asInt();
        // An SDXL file names both of its widths, as InvokeAI's message names one.
        assertTrue(mismatch.err().contains("Cannot load embedding for sdxl_embedding. It was trained on a model with token"
                + " dimensions " + sdxlShapes(variant).get("clip_l").get(1).asInt() + " (clip_l) and "
                + sdxlShapes(variant).get("clip_g").get(1).asInt() + " (clip_g), but the current model has token dimension "
                + width), mismatch.err());
        Distribution.Run garbage = neologism("ti:inspect " + variant.file("embeddings.json"));
        assertEquals(1, garbage.exitCode());
        assertTrue(garbage.err().contains("embeddings.json: is neither a safetensors file nor a PyTorch checkpoint"), garbage.err());
        assertFalse(garbage.err().contains("\tat "), "no stack trace: " + garbage.err());
    }

    @Test
    void importWithoutArgumentsShowsItsUsage() throws Exception {
        Distribution.Run run = neologism("ti:import", "help ti:export");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage: ti:import [--root <root>] [--trigger <trigger>] [--model <model>] [--force] <source>"), run.out());
        assertTrue(run.out().contains("--format"), run.out());
    }

    /** The clip_l and clip_g shapes embeddings.json records for the SDXL pair file. */
    private static JsonNode sdxlShapes(GoldenVariant variant) {
        for (JsonNode record : variant.json("embeddings.json").get("files")) {
            if (record.get("file").asText().equals("embeddings/sdxl_embedding.safetensors")) {
                return record.get("expected");
            }
        }
        throw new AssertionError(variant.file("embeddings.json") + " has no record of embeddings/sdxl_embedding.safetensors");
    }

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

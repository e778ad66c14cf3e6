package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.RootFolder;
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

    /**
     * One embedding file as its variant's embeddings.json records it: what a test needs of it comes from the
     * record's data, never from the file's name, so the test holds on any fixture set of the same layout.
     */
    private record EmbeddingFile(GoldenVariant variant, JsonNode record) {

        Path file() {
            return variant.file(record.get("file").asText());
        }

        /** The file name without its extension: the trigger of a file that names none. */
        String stem() {
            return file().getFileName().toString().replaceFirst("\\.[^.]*$", "");
        }

        JsonNode expected() {
            return record.path("expected");
        }

        /** The shape of the tensor {@code key} of {@code expected}. */
        JsonNode shape(String key) {
            return expected().path(key);
        }

        /** A {token: tensor} dict: one entry, a shape. */
        boolean isTokenDict() {
            return expected().size() == 1 && expected().elements().next().isArray() && !expected().has("")
                    && !expected().has(EMB_PARAMS) && !isSdxlClipPair();
        }

        /** The token of a {token: tensor} dict. */
        String token() {
            return expected().fieldNames().next();
        }

        int vectorCount(JsonNode shape) {
            return shape.size() == 1 ? 1 : shape.get(0).asInt();
        }

        boolean isSdxlClipPair() {
            return expected().size() == 2 && expected().has(CLIP_L) && expected().has(CLIP_G);
        }

        boolean isA1111() {
            return expected().has("string_to_param") && expected().has("string_to_token");
        }

        boolean isSafetensors() throws IOException {
            byte[] start = firstBytes(9);
            return start.length == 9 && start[8] == '{';
        }

        /** A PyTorch file of torch.save's legacy layout: a pickle, no zip archive. */
        boolean isLegacyPickle() throws IOException {
            byte[] start = firstBytes(2);
            return !isSafetensors() && !(start.length == 2 && start[0] == 'P' && start[1] == 'K');
        }

        private byte[] firstBytes(int n) throws IOException {
            try (InputStream in = Files.newInputStream(file())) {
                return in.readNBytes(n);
            }
        }
    }

    private static final String CLIP_L = "clip_l";
    private static final String CLIP_G = "clip_g";
    private static final String EMB_PARAMS = "emb_params";

    /** The files of every variant's embeddings.json that {@code has} the key {@code load} (diffusers' load of them). */
    private static List<EmbeddingFile> filesWith(String load) {
        List<EmbeddingFile> files = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            if (Files.isRegularFile(variant.file("embeddings.json"))) {
                for (JsonNode record : variant.json("embeddings.json").path("files")) {
                    if (record.has(load)) {
                        files.add(new EmbeddingFile(variant, record));
                    }
                }
            }
        }
        assertFalse(files.isEmpty(), "no embedding file under " + Fixtures.root().resolve("golden") + " records " + load);
        return files;
    }

    /** The one-encoder embedding set: the files diffusers' plain load_textual_inversion was tried on. */
    private static List<EmbeddingFile> oneEncoderFiles() {
        return filesWith("diffusers_load_textual_inversion");
    }

    /** The variants that have a one-encoder embedding set. */
    private static List<GoldenVariant> oneEncoderVariants() {
        return oneEncoderFiles().stream().map(EmbeddingFile::variant).distinct().toList();
    }

    /** The first file of {@code variant} in {@code files} that is {@code what}; fails naming what the fixtures lack. */
    private static EmbeddingFile find(List<EmbeddingFile> files, GoldenVariant variant, String what, Check is)
            throws IOException {
        for (EmbeddingFile file : files) {
            if (file.variant().equals(variant) && is.test(file)) {
                return file;
            }
        }
        throw new AssertionError(variant.file("embeddings.json") + " records no embedding file that is " + what);
    }

    @FunctionalInterface
    private interface Check {
        boolean test(EmbeddingFile file) throws IOException;
    }

    /** "n x d" as the commands print a shape. */
    private static String vectors(JsonNode shape) {
        return shape.size() == 1 ? "1 x " + shape.get(0).asInt() : shape.get(0).asInt() + " x " + shape.get(1).asInt();
    }

    /** The SDXL {clip_l, clip_g} file of a one-encoder variant (diffusers' plain load refuses it), as the commands print it. */
    private static String sdxlShape(EmbeddingFile sdxl) {
        return vectors(sdxl.shape(CLIP_L)) + " clip_l + " + vectors(sdxl.shape(CLIP_G)) + " clip_g";
    }

    @Test
    void everyFixtureFormatImportsListsAndExports() throws Exception {
        List<EmbeddingFile> files = oneEncoderFiles();
        for (GoldenVariant variant : oneEncoderVariants()) {
            EmbeddingFile multi = find(files, variant, "a multi-vector PyTorch {token: tensor} file",
                    f -> f.isTokenDict() && !f.isSafetensors() && f.vectorCount(f.shape(f.token())) > 1);
            EmbeddingFile a1111 = find(files, variant, "an A1111 .pt", EmbeddingFile::isA1111);
            EmbeddingFile kohya = find(files, variant, "a kohya emb_params file", f -> f.expected().has(EMB_PARAMS));
            EmbeddingFile legacy = find(files, variant, "a {token: tensor} dict in torch.save's legacy (non-zip) layout",
                    f -> f.isTokenDict() && f.isLegacyPickle());
            EmbeddingFile sdxl = find(files, variant, "an SDXL {clip_l, clip_g} file", EmbeddingFile::isSdxlClipPair);
            String trigger = multi.token();
            String shape = vectors(multi.shape(trigger));
            String folder = RootFolder.folderName(trigger);
            String sdxlTrigger = RootFolder.folderName(sdxl.stem());
            Distribution.Run run = neologism(
                    "ti:import " + multi.file(),
                    "ti:import --trigger '<a1111>' " + a1111.file(),
                    "ti:import --trigger '<kohya>' " + kohya.file(),
                    "ti:import --trigger '<legacy>' " + legacy.file(),
                    "ti:import " + sdxl.file(),
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
            assertTrue(run.out().contains("Installed " + sdxlTrigger + " (" + sdxlShape(sdxl) + ")"), run.out());
            assertTrue(run.out().contains("Format     a1111_pt"), run.out());
            assertTrue(run.out().contains("Tensor     string_to_param/*: F32[" + shape.replace(" x ", ", ") + "]"), run.out());
            assertTrue(run.out().contains("Removed <legacy>"), run.out());
            List<String> lastListing = run.out().lines().dropWhile(l -> !l.startsWith("Removed <legacy>")).toList();
            assertTrue(lastListing.stream().anyMatch(l -> l.matches("<roundtrip>\\s+" + shape + "\\s+learned_embeds_bin\\s+.*")), lastListing.toString());
            assertFalse(lastListing.stream().anyMatch(l -> l.startsWith("<legacy>")), lastListing.toString());
            assertTrue(Files.isRegularFile(root.resolve("out/exported-concept/README.md")));
            assertTrue(Files.isRegularFile(root.resolve("embeddings/kohya/learned_embeds.bin")));
            try (Stream<Path> listed = Files.list(home)) {
                assertEquals(List.of(), listed.toList(), "nothing written to the home folder");
            }
            neologism("ti:remove '" + trigger + "'", "ti:remove '<a1111>'", "ti:remove '<kohya>'",
                    "ti:remove '" + sdxlTrigger + "'", "ti:remove '<roundtrip>'");
            deleteTree(root.resolve("out"));
        }
    }

    /** Every SDXL file diffusers loaded into both encoders imports into its SDXL model as clip_l and clip_g halves. */
    @Test
    void anSdxlEmbeddingImportsIntoItsSdxlModel() throws Exception {
        List<EmbeddingFile> sdxlFiles = filesWith("diffusers_sdxl_load");
        for (GoldenVariant variant : sdxlFiles.stream().map(EmbeddingFile::variant).distinct().toList()) {
            EmbeddingFile sdxl = find(sdxlFiles, variant, "an SDXL {clip_l, clip_g} file diffusers loaded",
                    f -> f.isSdxlClipPair() && f.record().path("diffusers_sdxl_load").path("ok").asBoolean(false));
            String trigger = RootFolder.folderName(sdxl.stem());
            Distribution.Run run = neologism("ti:import --model " + variant.modelDir() + " " + sdxl.file(), "ti:embeddings");
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains("Installed " + trigger + " (" + sdxlShape(sdxl) + ") at "
                    + root.resolve("embeddings/" + trigger + "/" + trigger + ".safetensors")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith(trigger + " ") && l.contains("sdxl_clip_pair")), run.out());
            neologism("ti:remove '" + trigger + "'");
        }
    }

    @Test
    void aConflictAndAWidthMismatchFailWithOneClearLine() throws Exception {
        List<EmbeddingFile> files = oneEncoderFiles();
        GoldenVariant variant = oneEncoderVariants().get(0);
        EmbeddingFile single = find(files, variant, "a one-vector {token: tensor} file diffusers loaded",
                f -> f.isTokenDict() && f.vectorCount(f.shape(f.token())) == 1
                        && f.record().path("diffusers_load_textual_inversion").path("ok").asBoolean(false));
        String trigger = single.token();
        String folder = RootFolder.folderName(trigger);
        Distribution.Run first = neologism("ti:import " + single.file());
        assertEquals(0, first.exitCode(), first.err());
        Distribution.Run again = neologism("ti:import " + single.file());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("An embedding with trigger " + trigger + " is installed already at "
                + root.resolve("embeddings/" + folder + "/learned_embeds.bin") + "; remove it first (ti:remove '" + trigger
                + "') or replace it with --force"), again.err());
        String advice = again.err().substring(again.err().indexOf("(ti:remove ") + 1, again.err().indexOf(") or replace"));
        Distribution.Run followed = neologism(advice, "ti:import " + single.file());
        assertEquals(0, followed.exitCode(), "the advice '" + advice + "' pasted into the shell: " + followed.err());
        EmbeddingFile sdxl = find(files, variant, "an SDXL {clip_l, clip_g} file", EmbeddingFile::isSdxlClipPair);
        Distribution.Run mismatch = neologism("ti:import --model " + variant.modelDir() + " " + sdxl.file());
        assertEquals(1, mismatch.exitCode());
        // The model's width: that of a file diffusers loaded into it.
        JsonNode singleShape = single.shape(trigger);
        int width = singleShape.get(singleShape.size() - 1).asInt();
        // An SDXL file names both of its widths, as InvokeAI's message names one.
        assertTrue(mismatch.err().contains("Cannot load embedding for " + sdxl.stem() + ". It was trained on a model with token"
                + " dimensions " + sdxl.shape(CLIP_L).get(1).asInt() + " (clip_l) and "
                + sdxl.shape(CLIP_G).get(1).asInt() + " (clip_g), but the current model has token dimension "
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

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

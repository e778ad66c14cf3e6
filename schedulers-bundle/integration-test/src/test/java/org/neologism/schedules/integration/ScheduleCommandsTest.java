package org.neologism.schedules.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.junit.jupiter.api.io.TempDir;

/** {@code ti:schedulers} and {@code ti:schedule} through Gogo in a running framework. */
class ScheduleCommandsTest {

    private static final List<String> OUR_SCHEDULES = List.of("constant", "constant_with_warmup", "cosine",
            "cosine_with_restarts", "linear", "piecewise_constant", "polynomial");

    @TempDir
    static Path temp;

    private static RunningFramework framework;
    private static GogoSession shell;

    @BeforeAll
    static void start() throws Exception {
        framework = RunningFramework.start(temp.resolve("felix"));
        shell = new GogoSession(framework);
    }

    @AfterAll
    static void stop() throws Exception {
        framework.close();
    }

    @Test
    void schedulersListsEveryScheduleWithItsParametersAndProvider() throws Exception {
        String listing = shell.run("ti:schedulers");
        for (String name : OUR_SCHEDULES) {
            assertTrue(listing.lines().anyMatch(line -> line.startsWith(name + " ") && line.contains("from org.neologism.schedulers 0.1.0.SNAPSHOT")),
                    name + " missing in\n" + listing);
        }
        for (String parameter : List.of("num_cycles=1", "power=1.0", "lr_end=1e-7", "step_rules=1")) {
            assertTrue(listing.contains(parameter), parameter + " missing in\n" + listing);
        }
    }

    /** The command, given each recorded cosine_with_restarts run's settings, prints the rates diffusers used. */
    @Test
    void schedulePrintsTheLearningRatesDiffusersUses() throws Exception {
        for (Path variant : goldenVariants()) {
            JsonNode schedules = new ObjectMapper().readTree(variant.resolve("lr_schedulers.json").toFile());
            JsonNode run = golden(variant, "main.cosine_with_restarts");
            double baseLr = run.has("base_lr") ? run.get("base_lr").asDouble() : schedules.get("base_lr").asDouble();
            int steps = run.get("num_training_steps").asInt();
            JsonNode cycles = run.has("kwargs") ? run.get("kwargs").get("num_cycles") : run.get("num_cycles");
            String output = shell.run("ti:schedule --steps " + steps + " --warmup " + run.get("num_warmup_steps").asInt()
                    + " --lr " + baseLr + " --all cosine_with_restarts num_cycles=" + cycles.asInt());
            List<double[]> rows = tableRows(output);
            assertEquals(steps, rows.size(), output);
            JsonNode lrs = run.get("lrs");
            for (int step = 0; step < steps; step++) {
                double expected = lrs.get(step).asDouble();
                assertEquals(step, (int) rows.get(step)[0]);
                assertTrue(Math.abs(rows.get(step)[2] - expected) <= 1e-12 * Math.abs(expected),
                        variant + " step " + step + ": printed " + rows.get(step)[2] + ", diffusers " + expected);
            }
            assertTrue(output.contains("|*"), output);
            assertTrue(output.contains("+" + "-".repeat(64)), output);
        }
    }

    @Test
    void parametersAreAcceptedAsOptionsOrAsNameValue() throws Exception {
        String asOption = shell.run("ti:schedule --steps 60 polynomial --power 2 --lr_end 1e-6");
        String asPair = shell.run("ti:schedule --steps 60 polynomial power=2 lr_end=1e-6");
        // Gogo turns an unquoted number into a Number before it reaches the command, so the title
        // may echo 1e-6 as 1.0E-6; the values must be the same.
        assertEquals(withoutTitle(asPair), withoutTitle(asOption));
        assertTrue(asPair.startsWith("polynomial  T=60 W=0 lr=1.0E-4 lr_end=1e-6 power=2"), asPair);
        assertTrue(asOption.startsWith("polynomial  T=60 W=0 lr=1.0E-4 lr_end=1.0E-6 power=2"), asOption);
        assertEquals(0.01 + 0.99 * Math.pow(1 - 59 / 60.0, 2), tableRows(asPair).get(20)[1], 1e-15);
    }

    @Test
    void aBadParameterIsRefusedByName() {
        Exception error = assertThrows(Exception.class, () -> shell.run("ti:schedule cosine_with_restarts num_cycles=zero"));
        assertTrue(error.getMessage().contains("num_cycles=zero is not a whole number"), error.getMessage());
        error = assertThrows(Exception.class, () -> shell.run("ti:schedule cosine num_cycles=3"));
        assertTrue(error.getMessage().contains("Schedule cosine has no parameter num_cycles"), error.getMessage());
        error = assertThrows(Exception.class, () -> shell.run("ti:schedule piecewise_constant step_rules=1:10,x:20,0.1"));
        assertTrue(error.getMessage().contains("step_rules=1:10,x:20,0.1 is not valid: 'x' is not a multiplier"), error.getMessage());
        error = assertThrows(Exception.class, () -> shell.run("ti:schedule cosnie"));
        assertTrue(error.getMessage().contains("No learning-rate schedule named 'cosnie'")
                && error.getMessage().contains("cosine_with_restarts"), error.getMessage());
    }

    @Test
    void pngWritesTheCurveAsAnImage() throws Exception {
        Path png = temp.resolve("linear.png");
        String output = shell.run("ti:schedule --steps 200 --warmup 20 --png " + png + " linear");
        assertTrue(output.contains("Wrote " + png), output);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(450, image.getHeight());
        int curvePixels = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (rgb == 0x1f77b4) {
                    curvePixels++;
                }
            }
        }
        assertTrue(curvePixels > 500, "curve pixels: " + curvePixels);
    }

    @Test
    void helpDocumentsTheOptions() throws Exception {
        String help = shell.run("help ti:schedule");
        for (String expected : List.of("--steps", "--warmup", "--lr", "--png", "--all", "schedule name")) {
            assertTrue(help.contains(expected), expected + " missing in\n" + help);
        }
        assertTrue(shell.run("help ti:schedulers").contains("List the registered learning-rate schedules"));
    }

    private static String withoutTitle(String output) {
        return output.substring(output.indexOf('\n'));
    }

    /** The {@code step multiplier lr} rows of the printed table. */
    private static List<double[]> tableRows(String output) {
        List<double[]> rows = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length == 3 && cells[0].matches("\\d+") && cells[1].matches("[0-9.E-]+") && cells[2].matches("[0-9.E-]+")) {
                rows.add(new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1]), Double.parseDouble(cells[2])});
            }
        }
        return rows;
    }

    private static List<Path> goldenVariants() {
        List<Path> variants = Fixtures.goldenVariants().stream().map(GoldenVariant::folder)
                .filter(folder -> Files.exists(folder.resolve("lr_schedulers.json"))).toList();
        assertTrue(!variants.isEmpty(), "no golden variants with lr_schedulers.json under " + Fixtures.root());
        return variants;
    }

    /** The run {@code key}: lr_schedulers.json holds a list of runs with their keys, or (SDXL) runs keyed by it. */
    private static JsonNode golden(Path variant, String key) throws Exception {
        JsonNode runs = new ObjectMapper().readTree(variant.resolve("lr_schedulers.json").toFile()).get("runs");
        if (runs.isObject() && runs.has(key)) {
            return runs.get(key);
        }
        for (JsonNode run : runs) {
            if (run.path("key").asText().equals(key)) {
                return run;
            }
        }
        throw new AssertionError(variant + " has no run " + key);
    }
}

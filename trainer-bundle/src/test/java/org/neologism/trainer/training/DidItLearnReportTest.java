package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.RootFolder;
import org.neologism.core.training.DeviceChoice;
import org.neologism.core.training.MixedPrecision;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.engine.TorchEngine;

/**
 * "Did it learn?" (issue 12, item 5) through whole runs on a tiny fixture model: at every validation step and at
 * the end the run says how far the vectors moved from the initializer and where the loss went, and it warns loudly
 * when the gradient is zero (a trigger the prompts never reach: a caption so long that the tokenizer cuts the
 * trigger off) and when the embedding did not change (a learning rate too small to move a float32).
 */
class DidItLearnReportTest {

    private static final Pattern REPORT = Pattern.compile("Step (\\d+): the vectors moved \\S+ from the initializer"
            + " \\(\\S+% of its length\\); loss \\S+ \\(mean of the first \\d+ steps\\) -> \\S+ \\(the last \\d+\\).*");
    private static final int RESOLUTION = 32;

    @TempDir
    static Path work;
    private static WholeRuns runs;

    @BeforeAll
    static void framework() throws Exception {
        runs = WholeRuns.start(new TorchEngine(), work.resolve("framework"));
    }

    @AfterAll
    static void stop() throws Exception {
        runs.close();
    }

    @Test
    void everyValidationStepAndTheEndReportTheDistanceMovedAndTheLossTrend() throws Exception {
        Path images = images("validated", null);
        WholeRuns.Outcome outcome = train(request("<validated>", images).maxTrainSteps(5).validationPrompt(
                "a photo of <validated>").validationSteps(2).numValidationImages(1));

        List<String> reports = outcome.notices().stream().filter(line -> REPORT.matcher(line).matches()).toList();
        assertEquals(List.of("2", "4", "5"), reports.stream().map(line -> line.substring(5, line.indexOf(':'))).toList(),
                "a report at validation steps 2 and 4 and at the end (step 5):\n" + String.join("\n", outcome.notices()));
        assertTrue(outcome.notices().stream().noneMatch(line -> line.startsWith("WARNING")), String.join("\n",
                outcome.notices()));
        for (long step : new long[] {2, 4, 5}) {
            assertTrue(Files.isRegularFile(outcome.result().outputDir().resolve("validation/step-" + step + "-0.png")),
                    "validation image of step " + step);
        }
        String log = Files.readString(outcome.result().outputDir().resolve("logs/train.log"));
        assertTrue(log.contains(reports.get(reports.size() - 1)), "the report is in the run log:\n" + log);
    }

    @Test
    void aTriggerThatTheTokenizerCutsOffHasAZeroGradientAndTheRunWarnsEarlyAndAtTheEnd() throws Exception {
        // 80 words before the trigger: past the 75 tokens a CLIP prompt keeps, so no prompt contains it.
        Path images = images("cut-off", "a ".repeat(80) + "{}");
        int steps = LearningWatch.EARLY_CHECK_STEP + 2;
        WholeRuns.Outcome outcome = train(request("<cut-off>", images).maxTrainSteps(steps));

        assertEquals(TrainingStatus.COMPLETED, outcome.result().status(), outcome.result().message());
        List<String> warnings = outcome.notices().stream()
                .filter(line -> line.startsWith("WARNING: the gradient of the embedding has been zero")).toList();
        assertEquals(List.of(LearningWatch.EARLY_CHECK_STEP, steps), warnings.stream()
                        .map(line -> Integer.parseInt(line.replaceAll(".*\\(at step (\\d+)\\).*", "$1"))).toList(),
                "the zero-gradient warning after the first steps, without waiting for the end, and again at the end:\n"
                        + String.join("\n", outcome.notices()));
        assertTrue(warnings.get(0).contains("for the last 10 steps"), warnings.get(0));
    }

    @Test
    void vectorsThatDoNotMoveAreReportedAsNothingLearned() throws Exception {
        Path images = images("frozen", null);
        // AdamW moves each element by about the learning rate: 1e-30 is far below a float32 step of these vectors.
        WholeRuns.Outcome outcome = train(request("<frozen>", images).maxTrainSteps(3).learningRate(1e-30));

        assertTrue(outcome.notices().stream().anyMatch(line -> line.startsWith("WARNING: after 3 steps the embedding has"
                        + " not changed from its initializer (step 3)")),
                "the unchanged-embedding warning:\n" + String.join("\n", outcome.notices()));
        assertTrue(outcome.notices().stream().anyMatch(line -> line.startsWith("Step 3: the vectors moved 0.000 from the"
                + " initializer (0.00% of its length)")), String.join("\n", outcome.notices()));
    }

    private static TrainingRequest.Builder request(String trigger, Path images) {
        return TrainingRequest.builder(trigger).model(WholeRuns.generatableModel().folder().toString())
                .root(work.resolve("root")).trainDataDir(images).outputDir(work.resolve("output-" + images.getFileName()))
                .resolution(RESOLUTION).trainBatchSize(1).gradientAccumulationSteps(1).learningRate(5e-3).scaleLr(false)
                .lrScheduler("constant").lrWarmupSteps(0).mixedPrecision(MixedPrecision.NO).seed(7L)
                .device(DeviceChoice.CPU);
    }

    private static WholeRuns.Outcome train(TrainingRequest.Builder request) throws Exception {
        return runs.run(request.build(), new RootFolder(work.resolve("root")).createLayout());
    }

    /** Two small gradient images, each with {@code caption} beside it when one is given. */
    private static Path images(String name, String caption) throws IOException {
        Path folder = Files.createDirectories(work.resolve("images-" + name));
        for (int i = 0; i < 2; i++) {
            BufferedImage image = new BufferedImage(RESOLUTION, RESOLUTION, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < RESOLUTION; y++) {
                for (int x = 0; x < RESOLUTION; x++) {
                    image.setRGB(x, y, ((x * 8 + i * 90) & 0xff) << 16 | (y * 8 & 0xff) << 8 | (x * y + 40 * i) & 0xff);
                }
            }
            ImageIO.write(image, "png", folder.resolve("image-" + i + ".png").toFile());
            if (caption != null) {
                Files.writeString(folder.resolve("image-" + i + ".txt"), caption);
            }
        }
        return folder;
    }
}

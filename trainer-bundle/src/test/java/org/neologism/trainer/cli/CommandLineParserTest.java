package org.neologism.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.shell.TrainCommands;

class CommandLineParserTest {

    /** The options of TRAINING.md's table and of the issue, as invokeai-ti spells them. */
    static final List<String> INVOKEAI_TI_OPTIONS = List.of("--model", "--placeholder_token", "--initializer_token",
            "--learnable_property", "--num_vectors", "--resolution", "--center_crop", "--repeats", "--train_batch_size",
            "--gradient_accumulation_steps", "--max_train_steps", "--learning_rate", "--scale_lr", "--no-scale_lr",
            "--lr_scheduler", "--lr_warmup_steps", "--lr_num_cycles", "--adam_beta1", "--adam_beta2",
            "--adam_weight_decay", "--adam_epsilon", "--mixed_precision", "--gradient_checkpointing",
            "--checkpointing_steps", "--resume_from_checkpoint", "--save_steps", "--seed", "--output_dir",
            "--train_data_dir", "--only_save_embeds", "--root", "--enable_xformers_memory_efficient_attention");

    private final TrainOptions options = TrainOptions.ofTrainCommand();
    private final CommandLineParser parser = new CommandLineParser(options);

    /** A Trainer that records what it is asked to run and reports it done at once. */
    private static final class RecordingTrainer implements Trainer {
        final List<TrainingRequest> submitted = new ArrayList<>();

        @Override
        public long submit(TrainingRequest request) {
            submitted.add(request);
            return submitted.size();
        }

        @Override
        public List<TrainingProgress> jobs() {
            return List.of();
        }

        @Override
        public Optional<TrainingProgress> progress(long jobId) {
            return Optional.of(new TrainingProgress(jobId, "t", TrainingStatus.COMPLETED, 1, 1, Double.NaN, 0, 0, 0, "done"));
        }

        @Override
        public List<String> notices(long jobId) {
            return List.of();
        }

        @Override
        public boolean stop(long jobId) {
            return false;
        }
    }

    /** The request ti:train submits for this command line. */
    private TrainingRequest request(String... args) throws Exception {
        RecordingTrainer trainer = new RecordingTrainer();
        PrintStream console = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            options.train().invoke(new TrainCommands(trainer), parser.parse(List.of(args)).trainArguments(options));
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        } finally {
            System.setOut(console);
        }
        assertEquals(1, trainer.submitted.size());
        return trainer.submitted.get(0);
    }

    @Test
    void everyInvokeAiTiOptionIsKnown() {
        for (String name : INVOKEAI_TI_OPTIONS) {
            assertEquals(name, parser.resolve(name).names().stream().filter(name::equals).findFirst().orElseThrow());
        }
    }

    @Test
    void withOnlyATriggerTheRequestIsTrainingRequestDefaults() throws Exception {
        assertEquals(TrainingRequest.defaults("<cat-toy>"), request("--placeholder_token", "<cat-toy>"));
    }

    @Test
    void theDefaultsAreTrainingMdsInvokeAiTiColumn() throws Exception {
        TrainingRequest r = request("--placeholder_token", "<t>");
        assertEquals("stable-diffusion-1.5", r.model());
        assertEquals("*", r.initializerToken());
        assertEquals("object", r.learnableProperty());
        assertEquals(1, r.numVectors());
        assertEquals(512, r.resolution());
        assertFalse(r.centerCrop());
        assertEquals(100, r.repeats());
        assertEquals(8, r.trainBatchSize());
        assertEquals(1, r.gradientAccumulationSteps());
        assertEquals(5000, r.maxTrainSteps());
        assertEquals(1e-4, r.learningRate());
        assertTrue(r.scaleLr());
        assertEquals("constant", r.lrScheduler());
        assertEquals(500, r.lrWarmupSteps());
        assertEquals(0.9, r.adamBeta1());
        assertEquals(0.999, r.adamBeta2());
        assertEquals(1e-2, r.adamWeightDecay());
        assertEquals(1e-8, r.adamEpsilon());
        assertEquals("no", r.mixedPrecision());
        assertFalse(r.gradientCheckpointing());
        assertEquals(500, r.checkpointingSteps());
        assertNull(r.resumeFromCheckpoint());
        assertEquals(500, r.saveSteps());
        assertNull(r.seed());
        assertNull(r.outputDir());
        assertNull(r.trainDataDir());
    }

    @Test
    void everyOptionReachesTheRequestInBothSpellings() throws Exception {
        String[][] pairs = {
            {"--model", "/models/sd21"}, {"--placeholder_token", "<psychedelic>"}, {"--initializer_token", "art"},
            {"--learnable_property", "style"}, {"--num_vectors", "3"}, {"--resolution", "768"}, {"--repeats", "7"},
            {"--train_batch_size", "2"}, {"--gradient_accumulation_steps", "4"}, {"--max_train_steps", "2500"},
            {"--learning_rate", "5e-4"}, {"--lr_scheduler", "cosine_with_restarts"}, {"--lr_warmup_steps", "0"},
            {"--lr_num_cycles", "3"}, {"--adam_beta1", "0.8"}, {"--adam_beta2", "0.99"}, {"--adam_weight_decay", "0.5"},
            {"--adam_epsilon", "1e-6"}, {"--mixed_precision", "fp16"}, {"--checkpointing_steps", "50"},
            {"--checkpoints_total_limit", "2"}, {"--resume_from_checkpoint", "latest"}, {"--save_steps", "25"},
            {"--seed", "42"}, {"--device", "cpu"}, {"--root", "/data/root"}, {"--output_dir", "/data/out"},
            {"--train_data_dir", "/data/images"}};
        List<String> spaced = new ArrayList<>();
        List<String> joined = new ArrayList<>();
        for (String[] pair : pairs) {
            spaced.add(pair[0]);
            spaced.add(pair[1]);
            joined.add(pair[0] + "=" + pair[1]);
        }
        List<String> switches = List.of("--center_crop", "--no-scale_lr", "--gradient_checkpointing", "--no_fused_attention",
                "--only_save_embeds");
        spaced.addAll(switches);
        joined.addAll(switches);
        TrainingRequest expected = new TrainingRequest("/models/sd21", "<psychedelic>", "art", "style", 3, 768, true, 7, 2, 4,
                2500, 5e-4, false, "cosine_with_restarts", 0, Map.of("num_cycles", "3"), 0.8, 0.99, 0.5, 1e-6, "fp16", true,
                false, 50, 2, "latest", 25, true, 42L, "cpu", Path.of("/data/root"), Path.of("/data/out"),
                Path.of("/data/images"));
        assertEquals(expected, request(spaced.toArray(String[]::new)));
        assertEquals(expected, request(joined.toArray(String[]::new)));
    }

    @Test
    void theLastOfScaleLrAndNoScaleLrWins() throws Exception {
        assertFalse(request("--placeholder_token", "<t>", "--no-scale_lr").scaleLr());
        assertTrue(request("--placeholder_token", "<t>", "--no-scale_lr", "--scale_lr").scaleLr());
        assertFalse(request("--placeholder_token", "<t>", "--scale_lr", "--no-scale_lr").scaleLr());
    }

    @Test
    void aUniquePrefixStandsForTheOptionAsInArgparse() throws Exception {
        assertEquals(7, request("--placeholder_token", "<t>", "--max_train=7").maxTrainSteps());
        BadCommandLineException ambiguous = assertThrows(BadCommandLineException.class,
                () -> parser.parse(List.of("--lr_w", "1", "--lr", "1")));
        assertTrue(ambiguous.getMessage().startsWith("ambiguous option --lr could match --lr_scheduler, --lr_warmup_steps"),
                ambiguous.getMessage());
    }

    @Test
    void anUnknownOptionSuggestsTheClosestKnownOne() {
        BadCommandLineException e = assertThrows(BadCommandLineException.class,
                () -> parser.parse(List.of("--learning-rat", "1e-4")));
        assertEquals("unrecognized option --learning-rat; did you mean --learning_rate? (invokeai-ti --help lists the options)",
                e.getMessage());
        assertEquals("--placeholder_token", parser.closest("--placeholdr_token"));
        assertEquals("--train_data_dir", parser.closest("--train-data-dir"));
        assertEquals("--resolution", parser.closest("--resolutoin"));
    }

    @Test
    void commandLineMistakesAreOneLineMessagesNamingTheOption() {
        assertEquals("--resolution expects a whole number, not 'big'", assertThrows(BadCommandLineException.class,
                () -> parser.parse(List.of("--resolution", "big"))).getMessage());
        assertEquals("--learning_rate expects a number, not '1e-4x'", assertThrows(BadCommandLineException.class,
                () -> parser.parse(List.of("--learning_rate=1e-4x"))).getMessage());
        assertEquals("--max_train_steps expects a value (invokeai-ti --help describes it)",
                assertThrows(BadCommandLineException.class, () -> parser.parse(List.of("--max_train_steps"))).getMessage());
        assertEquals("--center_crop takes no value, not 'yes'", assertThrows(BadCommandLineException.class,
                () -> parser.parse(List.of("--center_crop=yes"))).getMessage());
        assertTrue(assertThrows(BadCommandLineException.class, () -> parser.parse(List.of("cat-toy"))).getMessage()
                .startsWith("unexpected argument 'cat-toy'"));
        assertThrows(BadCommandLineException.class, () -> parser.parse(List.of("--wait")));
    }

    @Test
    void triggersWithAngleBracketsAndSpacesAreTakenLiterally() throws Exception {
        assertEquals("<cat toy>", request("--placeholder_token", "<cat toy>").placeholderToken());
        assertEquals("<a=b>", request("--placeholder_token=<a=b>").placeholderToken());
    }

    @Test
    void helpAndGuiAreRecognised() {
        assertTrue(parser.parse(List.of("--help")).help());
        assertTrue(parser.parse(List.of("-h")).help());
        assertTrue(parser.parse(List.of("--gui", "--placeholder_token", "<t>")).gui());
        assertEquals(Map.of("--placeholder_token", "<t>"), parser.parse(List.of("--gui", "--placeholder_token", "<t>")).given());
    }

    @Test
    void helpDocumentsEveryOptionWithTheTextOfHelpTiTrain() {
        String usage = Usage.of(options);
        for (String name : INVOKEAI_TI_OPTIONS) {
            assertTrue(usage.contains(name), name);
        }
        for (TrainOption option : options.all()) {
            String firstWords = String.join(" ", List.of(option.help().split("\\s+")).subList(0,
                    Math.min(4, option.help().split("\\s+").length)));
            assertTrue(usage.replaceAll("\\s+", " ").contains(firstWords), option.name() + ": " + firstWords);
        }
        assertTrue(usage.contains("(default " + TrainingRequest.DEFAULT_MAX_TRAIN_STEPS + ")"));
        assertTrue(usage.contains("--gui"));
        assertFalse(usage.contains("  --wait"));
    }
}

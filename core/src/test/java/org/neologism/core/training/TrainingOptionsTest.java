package org.neologism.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

    /** The options of TRAINING.md's table and of the issue, as invokeai-ti spells them. */
    static final List<String> INVOKEAI_TI_OPTIONS = List.of("--model", "--placeholder_token", "--initializer_token",
            "--learnable_property", "--num_vectors", "--resolution", "--center_crop", "--repeats", "--train_batch_size",
            "--gradient_accumulation_steps", "--max_train_steps", "--learning_rate", "--scale_lr", "--no-scale_lr",
            "--lr_scheduler", "--lr_warmup_steps", "--lr_num_cycles", "--adam_beta1", "--adam_beta2",
            "--adam_weight_decay", "--adam_epsilon", "--mixed_precision", "--gradient_checkpointing",
            "--checkpointing_steps", "--resume_from_checkpoint", "--save_steps", "--seed", "--output_dir",
            "--train_data_dir", "--only_save_embeds", "--root", "--enable_xformers_memory_efficient_attention");

    private final TrainingCommandLine line = new TrainingCommandLine("invokeai-ti", List.of(
            new TrainingCommandLine.Switch(List.of("--help", "-h"), "show this help and exit"),
            new TrainingCommandLine.Switch(List.of("--gui"), "open the console form")));

    private TrainingRequest request(String... args) {
        return line.parse(List.of(args)).request();
    }

    @Test
    void everyInvokeAiTiOptionIsInTheTableOnce() {
        Set<String> spellings = new HashSet<>();
        TrainingOptions.ALL.forEach(option -> option.names().forEach(name -> assertTrue(spellings.add(name), name)));
        for (String name : INVOKEAI_TI_OPTIONS) {
            assertTrue(spellings.contains(name), name);
            assertEquals(name, line.resolve(name).names().stream().filter(name::equals).findFirst().orElseThrow());
        }
    }

    @Test
    void withOnlyATriggerTheRequestIsTrainingRequestDefaults() {
        assertEquals(TrainingRequest.defaults("<cat-toy>"), request("--placeholder_token", "<cat-toy>"));
    }

    @Test
    void theTablesDefaultsAreTheRequestDefaultsAndTheHelpNamesThem() {
        Map<String, String> defaults = TrainingOptions.defaults();
        assertEquals("5000", defaults.get("--max_train_steps"));
        assertEquals("no", defaults.get("--mixed_precision"));
        assertEquals("object", defaults.get("--learnable_property"));
        assertEquals("true", defaults.get("--scale_lr"));
        assertEquals("false", defaults.get("--no-scale_lr"));
        assertEquals("", defaults.get("--seed"));
        assertEquals("optimiser steps (default 5000)", TrainingOptions.named("--max_train_steps").orElseThrow().help());
        assertEquals(TrainingRequest.defaults("<t>"), TrainingOptions.request(Map.of("--placeholder_token", "<t>")));
    }

    @Test
    void aRequestSurvivesTheTableBothWays() {
        TrainingRequest request = request("--placeholder_token", "<p>", "--learnable_property", "style", "--no-scale_lr",
                "--mixed_precision", "fp16", "--lr_num_cycles", "3", "--seed", "42", "--device", "cpu", "--root", "/r");
        assertEquals(request, TrainingOptions.request(TrainingOptions.valuesOf(request)));
    }

    @Test
    void everyOptionReachesTheRequestInBothSpellings() {
        String[][] pairs = {
            {"--model", "/models/sd21"}, {"--placeholder_token", "<psychedelic>"}, {"--initializer_token", "art"},
            {"--learnable_property", "style"}, {"--num_vectors", "3"}, {"--resolution", "768"}, {"--repeats", "7"},
            {"--train_batch_size", "2"}, {"--gradient_accumulation_steps", "4"}, {"--max_train_steps", "2500"},
            {"--learning_rate", "5e-4"}, {"--lr_scheduler", "cosine_with_restarts"}, {"--lr_warmup_steps", "0"},
            {"--lr_num_cycles", "3"}, {"--adam_beta1", "0.8"}, {"--adam_beta2", "0.99"}, {"--adam_weight_decay", "0.5"},
            {"--adam_epsilon", "1e-6"}, {"--mixed_precision", "fp16"}, {"--checkpointing_steps", "50"},
            {"--checkpoints_total_limit", "2"}, {"--resume_from_checkpoint", "latest"}, {"--save_steps", "25"},
            {"--seed", "42"}, {"--device", "cpu"}, {"--root", "/data/root"}, {"--output_dir", "/data/out"},
            {"--train_data_dir", "/data/images"}, {"--validation_prompt", "a photo of <psychedelic>"},
            {"--num_validation_images", "2"}, {"--validation_steps", "10"},
            {"--original_config", "/data/v2-inference-v.yaml"}, {"--prediction_type", "v_prediction"},
            {"--tokenizer", "/data/tokenizer"}, {"--cpu_threads", "3"}};
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
        TrainingRequest expected = new TrainingRequest("/models/sd21", "<psychedelic>", "art", LearnableProperty.STYLE, 3,
                768, true, 7, 2, 4, 2500, 5e-4, false, "cosine_with_restarts", 0, Map.of("num_cycles", "3"), 0.8, 0.99, 0.5,
                1e-6, MixedPrecision.FP16, true, false, 50, 2, "latest", 25, true, 42L, DeviceChoice.CPU,
                Path.of("/data/root"), Path.of("/data/out"), Path.of("/data/images"), false, "a photo of <psychedelic>", 2, 10,
                Path.of("/data/v2-inference-v.yaml"), "v_prediction", Path.of("/data/tokenizer"), 3);
        assertEquals(expected, request(spaced.toArray(String[]::new)));
        assertEquals(expected, request(joined.toArray(String[]::new)));
    }

    @Test
    void cpuThreadsIsLeftToTheHostUnlessGivenAndThenAtLeastOne() {
        assertEquals(null, request("--placeholder_token", "<t>").cpuThreads());
        List<String> problems = request("--placeholder_token", "<t>", "--cpu_threads", "0").validate();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("--cpu_threads must be at least 1, not 0")), problems.toString());
    }

    @Test
    void theLastOfScaleLrAndNoScaleLrWins() {
        assertFalse(request("--placeholder_token", "<t>", "--no-scale_lr").scaleLr());
        assertTrue(request("--placeholder_token", "<t>", "--no-scale_lr", "--scale_lr").scaleLr());
        assertFalse(request("--placeholder_token", "<t>", "--scale_lr", "--no-scale_lr").scaleLr());
    }

    @Test
    void aUniquePrefixStandsForTheOptionAsInArgparse() {
        assertEquals(7, request("--placeholder_token", "<t>", "--max_train=7").maxTrainSteps());
        InvalidTrainingRequestException ambiguous = assertThrows(InvalidTrainingRequestException.class,
                () -> line.parse(List.of("--lr_w", "1", "--lr", "1")));
        assertTrue(ambiguous.getMessage().startsWith("ambiguous option --lr could match --lr_scheduler, --lr_warmup_steps"),
                ambiguous.getMessage());
    }

    @Test
    void anUnknownOptionSuggestsTheClosestKnownOne() {
        InvalidTrainingRequestException e = assertThrows(InvalidTrainingRequestException.class,
                () -> line.parse(List.of("--learning-rat", "1e-4")));
        assertEquals("unrecognized option --learning-rat; did you mean --learning_rate? (invokeai-ti --help lists the options)",
                e.getMessage());
        assertEquals("--placeholder_token", line.closest("--placeholdr_token"));
        assertEquals("--train_data_dir", line.closest("--train-data-dir"));
        assertEquals("--resolution", line.closest("--resolutoin"));
    }

    @Test
    void commandLineMistakesAreOneLineMessagesNamingTheOption() {
        assertEquals("--resolution expects a whole number, not 'big'", assertThrows(InvalidTrainingRequestException.class,
                () -> line.parse(List.of("--resolution", "big"))).getMessage());
        assertEquals("--learning_rate expects a number, not '1e-4x'", assertThrows(InvalidTrainingRequestException.class,
                () -> line.parse(List.of("--learning_rate=1e-4x"))).getMessage());
        assertEquals("--max_train_steps expects a value (invokeai-ti --help describes it)",
                assertThrows(InvalidTrainingRequestException.class, () -> line.parse(List.of("--max_train_steps"))).getMessage());
        assertEquals("--center_crop takes no value, not 'yes'", assertThrows(InvalidTrainingRequestException.class,
                () -> line.parse(List.of("--center_crop=yes"))).getMessage());
        assertTrue(assertThrows(InvalidTrainingRequestException.class, () -> line.parse(List.of("cat-toy"))).getMessage()
                .startsWith("unexpected argument 'cat-toy'"));
        assertThrows(InvalidTrainingRequestException.class, () -> line.parse(List.of("--wait")));
        assertEquals(List.of("--mixed_precision must be no, fp16 or bf16, not fp8"), assertThrows(
                InvalidTrainingRequestException.class, () -> request("--mixed_precision", "fp8")).problems());
    }

    @Test
    void triggersWithAngleBracketsAndSpacesAreTakenLiterally() {
        assertEquals("<cat toy>", request("--placeholder_token", "<cat toy>").placeholderToken());
        assertEquals("<a=b>", request("--placeholder_token=<a=b>").placeholderToken());
    }

    @Test
    void theFrontEndsOwnSwitchesAreRecognised() {
        assertTrue(line.parse(List.of("--help")).has("--help"));
        assertTrue(line.parse(List.of("-h")).has("--help"));
        TrainingCommandLine.Parsed gui = line.parse(List.of("--gui", "--placeholder_token", "<t>"));
        assertTrue(gui.has("--gui"));
        assertEquals(Map.of("--placeholder_token", "<t>"), gui.given());
    }

    @Test
    void theHelpListsEveryOptionWithItsTableText() {
        String help = line.optionsHelp();
        for (TrainingOption option : TrainingOptions.ALL) {
            assertTrue(help.contains("  " + option.names().get(0)), option.name());
            String firstWords = String.join(" ", List.of(option.help().split("\\s+")).subList(0,
                    Math.min(4, option.help().split("\\s+").length)));
            assertTrue(help.replaceAll("\\s+", " ").contains(firstWords), option.name() + ": " + firstWords);
        }
        assertTrue(help.contains("optimiser steps (default 5000)"), help);
        assertTrue(help.contains("--gui"));
    }
}

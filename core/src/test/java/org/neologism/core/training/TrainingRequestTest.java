package org.neologism.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingRequestTest {

    @Test
    void defaultsAreInvokeAiTisCommandLineDefaults() {
        TrainingRequest request = TrainingRequest.defaults("<psychedelic>");
        assertEquals("stable-diffusion-1.5", request.model());
        assertEquals("*", request.initializerToken());
        assertEquals(LearnableProperty.OBJECT, request.learnableProperty());
        assertEquals(1, request.numVectors());
        // Not given: 512, or an SDXL model's own size, once the trainer knows the model.
        assertEquals(null, request.resolution());
        assertEquals(512, request.withModelResolution(TrainingRequest.DEFAULT_RESOLUTION).resolution());
        assertFalse(request.centerCrop());
        assertEquals(100, request.repeats());
        assertEquals(8, request.trainBatchSize());
        assertEquals(1, request.gradientAccumulationSteps());
        assertEquals(5000, request.maxTrainSteps());
        assertEquals(1e-4, request.learningRate());
        assertTrue(request.scaleLr());
        assertEquals("constant", request.lrScheduler());
        assertEquals(500, request.lrWarmupSteps());
        assertEquals(0.9, request.adamBeta1());
        assertEquals(0.999, request.adamBeta2());
        assertEquals(1e-2, request.adamWeightDecay());
        assertEquals(1e-8, request.adamEpsilon());
        assertEquals(MixedPrecision.NO, request.mixedPrecision());
        assertEquals(DeviceChoice.AUTO, request.device());
        assertEquals(500, request.checkpointingSteps());
        assertEquals(500, request.saveSteps());
    }

    @Test
    void aRequestSurvivesAJsonRoundTripAsACheckpointStoresIt() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        TrainingRequest request = TrainingRequest.defaults("<cat-toy>");
        String text = json.writeValueAsString(request);
        assertTrue(text.contains("\"placeholderToken\":\"<cat-toy>\""), text);
        assertEquals(request, json.readValue(text, TrainingRequest.class));
    }

    @Test
    void enumsAreStoredAsInvokeAiTiSpellsThemSoOlderCheckpointsStillLoad() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        TrainingRequest request = TrainingRequest.builder("<t>").mixedPrecision(MixedPrecision.FP16)
                .learnableProperty(LearnableProperty.STYLE).device(DeviceChoice.of("gpu:1")).build();
        String text = json.writeValueAsString(request);
        assertTrue(text.contains("\"mixedPrecision\":\"fp16\""), text);
        assertTrue(text.contains("\"learnableProperty\":\"style\""), text);
        assertTrue(text.contains("\"device\":\"gpu:1\""), text);
        assertEquals(request, json.readValue(text, TrainingRequest.class));
        // A checkpoint written before the fields were typed stored no device as null.
        String older = json.writeValueAsString(TrainingRequest.defaults("<t>")).replace("\"device\":\"auto\"", "\"device\":null");
        assertEquals(DeviceChoice.AUTO, json.readValue(older, TrainingRequest.class).device());
    }

    @Test
    void validateListsEveryProblemEachNamingItsFlag() {
        TrainingRequest bad = TrainingRequest.builder("").resolution(30).maxTrainSteps(0).learningRate(-1)
                .mixedPrecision(MixedPrecision.BF16).checkpointsTotalLimit(0).lrWarmupSteps(-2).build();
        List<String> problems = bad.validate();
        for (String flag : List.of("--placeholder_token", "--resolution", "--max_train_steps", "--learning_rate",
                "--mixed_precision=bf16", "--checkpoints_total_limit", "--lr_warmup_steps")) {
            assertEquals(1, problems.stream().filter(problem -> problem.startsWith(flag)).count(), flag + " in " + problems);
        }
        assertEquals(7, problems.size(), problems.toString());
        InvalidTrainingRequestException thrown = assertThrows(InvalidTrainingRequestException.class, bad::requireValid);
        assertEquals(problems, thrown.problems());
        assertEquals(List.of(), TrainingRequest.defaults("<t>").validate());
    }

    @Test
    void halfPrecisionNeedsTheFusedKernels() {
        List<String> problems = TrainingRequest.builder("<t>").mixedPrecision(MixedPrecision.FP16).fusedAttention(false)
                .build().validate();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("--mixed_precision=fp16 needs the fused kernels"), problems.get(0));
    }

    @Test
    void aBuilderFromARequestChangesOnlyWhatItIsTold() {
        TrainingRequest request = TrainingRequest.defaults("<t>");
        TrainingRequest changed = request.toBuilder().maxTrainSteps(7).build();
        assertEquals(7, changed.maxTrainSteps());
        assertEquals(request, changed.toBuilder().maxTrainSteps(request.maxTrainSteps()).build());
    }

    @Test
    void enumValuesRefuseOtherSpellingsNamingTheFlag() {
        assertEquals("--mixed_precision must be no, fp16 or bf16, not fp8",
                assertThrows(IllegalArgumentException.class, () -> MixedPrecision.of("fp8")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LearnableProperty.of("thing")).getMessage()
                .startsWith("--learnable_property must be one of object, style"));
        assertEquals("--device tpu is not a device: use cpu, gpu or gpu:N",
                assertThrows(IllegalArgumentException.class, () -> DeviceChoice.of("tpu")).getMessage());
        assertEquals(new DeviceChoice(DeviceChoice.Kind.GPU, 2), DeviceChoice.of("gpu:2"));
        assertEquals(DeviceChoice.AUTO, DeviceChoice.of(null));
    }

    @Test
    void aTriggerIsRequired() {
        assertThrows(NullPointerException.class, () -> TrainingRequest.defaults(null));
    }

    @Test
    void etaFollowsTheCurrentRateAndIsUnknownWhenFinished() {
        TrainingProgress running = new TrainingProgress(1, "<t>", TrainingStatus.RUNNING, 100, 300, 0.1, 1e-4, 4.0, 0, "");
        assertEquals(50, running.etaSeconds());
        TrainingProgress done = new TrainingProgress(1, "<t>", TrainingStatus.COMPLETED, 300, 300, 0.1, 1e-4, 4.0, 0, "");
        assertEquals(-1, done.etaSeconds());
    }
}

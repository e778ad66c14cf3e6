package org.neologism.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TrainingRequestTest {

    @Test
    void defaultsAreInvokeAiTisCommandLineDefaults() {
        TrainingRequest request = TrainingRequest.defaults("<psychedelic>");
        assertEquals("stable-diffusion-1.5", request.model());
        assertEquals("*", request.initializerToken());
        assertEquals("object", request.learnableProperty());
        assertEquals(1, request.numVectors());
        assertEquals(512, request.resolution());
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
        assertEquals("no", request.mixedPrecision());
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

package org.neologism.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;
import org.neologism.testsupport.Json;

class PromptTemplatesTest {

    @Test
    void objectHas27TemplatesAndStyle19() {
        assertEquals(27, PromptTemplates.forProperty("object").size());
        assertEquals(19, PromptTemplates.forProperty("style").size());
        assertEquals(List.of("object", "style"), PromptTemplates.learnableProperties());
    }

    @Test
    void everyTemplateHasOnePlaceForTheTrigger() {
        for (String property : PromptTemplates.learnableProperties()) {
            for (String template : PromptTemplates.forProperty(property).templates()) {
                assertEquals(template.indexOf("{}"), template.lastIndexOf("{}"), template);
                assertTrue(template.contains("{}"), template);
            }
        }
    }

    @Test
    void aPromptIsTheTemplateFormattedWithTheTrigger() {
        PromptTemplates object = PromptTemplates.forProperty("object");
        assertEquals("a photo of a <cat-toy>", object.prompt(0, "<cat-toy>"));
        assertEquals("a painting in the style of <s> <s>_1", PromptTemplates.forProperty("style").prompt(0, "<s> <s>_1"));
    }

    @Test
    void anUnknownPropertyIsRefusedNamingTheFlagAndTheChoices() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PromptTemplates.forProperty("person"));
        assertTrue(error.getMessage().contains("--learnable_property"), error.getMessage());
        assertTrue(error.getMessage().contains("object") && error.getMessage().contains("style"), error.getMessage());
        assertTrue(error.getMessage().contains("person"), error.getMessage());
    }

    /**
     * The reference runs drew their prompts from diffusers' {@code imagenet_templates_small}: every prompt they
     * recorded must be one of the shipped object templates with the run's placeholder(s) in it.
     */
    @Test
    void everyPromptOfTheRecordedRunsIsAShippedTemplate() {
        PromptTemplates object = PromptTemplates.forProperty("object");
        int checked = 0;
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            for (JsonNode run : variant.section("train").path("runs")) {
                List<String> placeholders = Json.strings(run.get("placeholder_tokens"));
                String trigger = ClipTokenizer.expandPlaceholder(placeholders.get(0), placeholders.size());
                List<String> prompts = new ArrayList<>();
                for (int i = 0; i < object.size(); i++) {
                    prompts.add(object.prompt(i, trigger));
                }
                for (JsonNode batch : run.get("texts")) {
                    for (JsonNode text : batch) {
                        assertTrue(prompts.contains(text.asText()), variant + " " + run.get("name").asText() + ": \""
                                + text.asText() + "\" is no shipped object template");
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 0, "the golden runs record no prompts");
    }
}

package org.neologism.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void theShippedTemplatesAreTheDocumentedOnes() throws IOException {
        Path documented = Path.of(System.getProperty("neologism.fixtures")).resolveSibling("docs").resolve("templates.json");
        JsonNode json = new ObjectMapper().readTree(documented.toFile());
        for (String property : List.of("object", "style")) {
            List<String> expected = new ArrayList<>();
            json.get(property).forEach(node -> expected.add(node.asText()));
            assertEquals(expected, PromptTemplates.forProperty(property).templates(), property);
        }
    }
}

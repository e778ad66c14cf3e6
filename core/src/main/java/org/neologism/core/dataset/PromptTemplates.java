package org.neologism.core.dataset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompts a sample without a caption is trained with: the 27 "object" or 19 "style" templates of
 * the textual-inversion scripts ({@code --learnable_property}), each with {@code {}} where the trigger
 * goes. A sample's prompt is {@code random.choice(templates).format(trigger)} in diffusers.
 */
public final class PromptTemplates {

    private static final String RESOURCE = "templates.json";

    private final String learnableProperty;
    private final List<String> templates;

    private PromptTemplates(String learnableProperty, List<String> templates) {
        this.learnableProperty = learnableProperty;
        this.templates = List.copyOf(templates);
    }

    /**
     * The templates of {@code --learnable_property}.
     *
     * @throws IllegalArgumentException for anything but {@code object} or {@code style}, naming the flag
     */
    public static PromptTemplates forProperty(String learnableProperty) {
        List<String> templates = Shipped.TEMPLATES.get(learnableProperty);
        if (templates == null) {
            throw new IllegalArgumentException("--learnable_property must be one of " + learnableProperties()
                    + ", not \"" + learnableProperty + "\"");
        }
        return new PromptTemplates(learnableProperty, templates);
    }

    /** The values {@code --learnable_property} accepts, in the order of the templates file. */
    public static List<String> learnableProperties() {
        return List.copyOf(Shipped.TEMPLATES.keySet());
    }

    public String learnableProperty() {
        return learnableProperty;
    }

    /** Every template, with {@code {}} where the trigger goes. */
    public List<String> templates() {
        return templates;
    }

    public int size() {
        return templates.size();
    }

    /**
     * Template {@code index} with the trigger in place of {@code {}}, as Python's {@code str.format} fills
     * it. With several vectors pass the expanded trigger ({@code P P_1 …}).
     */
    public String prompt(int index, String trigger) {
        return templates.get(index).replace("{}", trigger);
    }

    /** The templates shipped as a resource beside this class, read once. */
    private static final class Shipped {
        static final Map<String, List<String>> TEMPLATES = read();

        private static Map<String, List<String>> read() {
            try (InputStream in = PromptTemplates.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the bundle lacks its resource " + RESOURCE);
                }
                return new ObjectMapper().readValue(in, new TypeReference<LinkedHashMap<String, List<String>>>() {});
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the shipped prompt templates " + RESOURCE, e);
            }
        }
    }
}

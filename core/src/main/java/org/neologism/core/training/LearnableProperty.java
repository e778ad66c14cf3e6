package org.neologism.core.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** {@code --learnable_property}: which prompt templates a sample without a caption is trained with. */
public enum LearnableProperty {
    OBJECT("object"),
    STYLE("style");

    private final String flag;

    LearnableProperty(String flag) {
        this.flag = flag;
    }

    /** The value as invokeai-ti spells it; also the name of its templates in {@code PromptTemplates}. */
    @JsonValue
    public String flag() {
        return flag;
    }

    /** @throws IllegalArgumentException naming the flag and its values */
    @JsonCreator
    public static LearnableProperty of(String flag) {
        String wanted = flag == null ? "" : flag.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(value -> value.flag.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--learnable_property must be one of object, style, not \""
                        + flag + "\""));
    }

    @Override
    public String toString() {
        return flag;
    }
}

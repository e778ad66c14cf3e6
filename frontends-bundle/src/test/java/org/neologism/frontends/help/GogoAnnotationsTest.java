package org.neologism.frontends.help;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.junit.jupiter.api.Test;

class GogoAnnotationsTest {

    /** A command as Gogo serves a Java keyword and a hyphenated name: {@code _import} and {@code _main}. */
    public static final class Commands {
        @Descriptor("Install an embedding")
        public void _import(
                @Descriptor("install under this trigger") @Parameter(names = "--trigger", absentValue = "") String trigger,
                @Descriptor("replace an installed one") @Parameter(names = "--force", presentValue = "true", absentValue = "false") boolean force,
                @Descriptor("embedding file") String source) {
        }

        @Descriptor("Run a small check")
        public void _main(String function) {
        }
    }

    @Test
    void aKeywordCommandIsDescribedFromItsUnderscoreMethod() {
        String text = GogoAnnotations.describe("ti", "import", Arrays.stream(Commands.class.getMethods())
                .filter(method -> method.getName().equals("_import")).toList());
        assertTrue(text.startsWith("ti:import - Install an embedding"), text);
        assertTrue(text.contains("flags:") && text.contains("--force") && text.contains("replace an installed one"), text);
        assertTrue(text.contains("options:") && text.contains("--trigger") && text.contains("[optional]"), text);
        assertTrue(text.contains("parameters:") && text.contains("embedding file"), text);
    }

    @Test
    void aHyphenatedCommandIsDescribedFromMainWithoutItsFunctionArgument() throws Exception {
        String text = GogoAnnotations.describe("ti", "tensor-check", List.of(Commands.class.getMethod("_main", String.class)));
        assertTrue(text.startsWith("ti:tensor-check - Run a small check"), text);
        assertFalse(text.contains("parameters:"), text);
    }
}

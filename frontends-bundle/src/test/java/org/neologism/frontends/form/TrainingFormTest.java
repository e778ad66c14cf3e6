package org.neologism.frontends.form;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neologism.core.root.RootFolder;
import org.neologism.core.training.TrainingOptions;
import org.neologism.core.training.TrainingRequest;

/**
 * The console form on Lanterna's virtual terminal, keys typed as a user types them: the Preview prompt field is
 * shown, its text reaches the training request as {@code --validation_prompt}, a blank one asks for no images,
 * and the saved answers offer it again. (ConsoleFormIT drives the whole form in a real terminal.)
 */
class TrainingFormTest {

    private static final String LABEL = "Preview prompt";

    @TempDir
    Path dir;

    @Test
    void thePreviewPromptTypedInTheFormBecomesTheRequestsValidationPrompt() throws Exception {
        RootFolder root = new RootFolder(dir).createLayout();
        String prompt = "a photo of <gui-toy> on a beach";
        Form form = Form.open(root, Map.of());
        String screen = form.waitFor(LABEL);
        assertTrue(screen.indexOf("Warmup steps:") < screen.indexOf(LABEL), "the last field, after the warmup steps:\n"
                + screen);
        // From the first field Shift-Tab wraps to Cancel, then OK, then the last field: the preview prompt.
        form.keys(KeyType.ReverseTab, KeyType.ReverseTab, KeyType.ReverseTab);
        form.type(prompt);
        form.keys(KeyType.Tab, KeyType.Enter);
        Map<String, String> answers = form.answers().orElseThrow();

        assertEquals(prompt, answers.get("--validation_prompt"));
        TrainingRequest request = TrainingOptions.request(answers);
        assertEquals(prompt, request.validationPrompt());
        assertTrue(request.validates());
        assertEquals(4, request.numValidationImages(), "the other validation options keep diffusers' defaults");
        assertEquals(100, request.validationSteps());

        Form again = Form.open(root, Map.of());
        String shown = again.waitFor(LABEL);
        assertTrue(shown.contains(prompt), "the saved answer is offered again:\n" + shown);
        again.keys(KeyType.ReverseTab, KeyType.Enter);
        assertTrue(again.answers().isEmpty(), "Cancel returns no answers");
    }

    @Test
    void aBlankPreviewPromptDrawsNoImagesAndTheCommandLineOnePrefillsTheField() throws Exception {
        RootFolder root = new RootFolder(dir).createLayout();
        Form blank = Form.open(root, Map.of());
        blank.waitFor(LABEL);
        blank.keys(KeyType.ReverseTab, KeyType.ReverseTab, KeyType.Enter);
        TrainingRequest request = TrainingOptions.request(blank.answers().orElseThrow());
        assertNull(request.validationPrompt());
        assertFalse(request.validates());

        String given = "a <cat-toy> in the snow";
        Form prefilled = Form.open(root, Map.of("--validation_prompt", given));
        assertTrue(prefilled.waitFor(LABEL).contains(given));
        prefilled.keys(KeyType.ReverseTab, KeyType.ReverseTab, KeyType.Enter);
        assertEquals(given, TrainingOptions.request(prefilled.answers().orElseThrow()).validationPrompt());
    }

    /** One showing of the form on a virtual terminal, on its own thread as the GUI waits for keys. */
    private record Form(DefaultVirtualTerminal terminal, CompletableFuture<Optional<Map<String, String>>> result) {

        static Form open(RootFolder root, Map<String, String> given) throws Exception {
            DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(120, 45));
            TerminalScreen screen = new TerminalScreen(terminal);
            screen.startScreen();
            TrainingForm form = new TrainingForm(new FormDefaults(root, given), TrainingOptions.defaults(),
                    () -> List.of("constant"), TrainingOptions::request);
            CompletableFuture<Optional<Map<String, String>>> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return form.show(screen);
                } finally {
                    try {
                        screen.stopScreen();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            return new Form(terminal, result);
        }

        /** The screen once it shows {@code text}. */
        String waitFor(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String screen = screen();
            while (!screen.contains(text) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                screen = screen();
            }
            assertTrue(screen.contains(text), text + " on the screen:\n" + screen);
            return screen;
        }

        void keys(KeyType... keys) {
            for (KeyType key : keys) {
                terminal.addInput(new KeyStroke(key));
            }
        }

        void type(String text) {
            text.chars().forEach(c -> terminal.addInput(new KeyStroke((char) c, false, false)));
        }

        Optional<Map<String, String>> answers() throws Exception {
            return result.get(20, TimeUnit.SECONDS);
        }

        private String screen() {
            StringBuilder text = new StringBuilder();
            TerminalSize size = terminal.getTerminalSize();
            for (int row = 0; row < size.getRows(); row++) {
                for (int column = 0; column < size.getColumns(); column++) {
                    text.append(terminal.getCharacter(column, row).getCharacterString());
                }
                text.append('\n');
            }
            return text.toString();
        }
    }
}

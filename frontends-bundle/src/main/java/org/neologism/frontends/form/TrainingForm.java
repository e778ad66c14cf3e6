package org.neologism.frontends.form;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.gui2.BasicWindow;
import com.googlecode.lanterna.gui2.Button;
import com.googlecode.lanterna.gui2.CheckBox;
import com.googlecode.lanterna.gui2.ComboBox;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.DefaultWindowManager;
import com.googlecode.lanterna.gui2.Direction;
import com.googlecode.lanterna.gui2.EmptySpace;
import com.googlecode.lanterna.gui2.GridLayout;
import com.googlecode.lanterna.gui2.Label;
import com.googlecode.lanterna.gui2.LinearLayout;
import com.googlecode.lanterna.gui2.MultiWindowTextGUI;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.TextBox;
import com.googlecode.lanterna.gui2.Window;
import com.googlecode.lanterna.gui2.WindowListenerAdapter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.RootFolder;

/**
 * invokeai-ti's console form (InvokeAI's "Textual Inversion Training" screen), in Lanterna: the fields of the
 * guide and a Preview prompt (diffusers' {@code --validation_prompt}: images of it drawn while training), Tab/Shift-Tab
 * or Ctrl-N/Ctrl-P between them, arrows within them, Space toggles. OK checks the answers
 * (the same checks as the command line), saves them for next time and returns them as options.
 */
public final class TrainingForm {

    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-\\d+");
    private static final int PATH_WIDTH = 60;

    private final FormDefaults defaults;
    private final Map<String, String> values;
    private final Supplier<List<String>> schedules;
    private final Consumer<Map<String, String>> check;

    /**
     * @param defaults            root, saved answers and the options given
     * @param commandLineDefaults every option's command-line default, by name
     * @param schedules           the registered learning-rate schedules
     * @param check               throws IllegalArgumentException with a one-line message when answers cannot run
     */
    public TrainingForm(FormDefaults defaults, Map<String, String> commandLineDefaults, Supplier<List<String>> schedules,
                        Consumer<Map<String, String>> check) {
        this.defaults = defaults;
        this.values = defaults.initial(commandLineDefaults);
        this.schedules = schedules;
        this.check = check;
    }

    /** Shows the form; the answers as options by name, or empty when the user cancelled. */
    public Optional<Map<String, String>> show() {
        if (System.console() == null) {
            throw new IllegalArgumentException("--gui needs an interactive terminal; give the options on the command"
                    + " line instead (invokeai-ti --help)");
        }
        try {
            UnixTerminal terminal = new UnixTerminal(new FileInputStream(FileDescriptor.in),
                    new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8);
            TerminalScreen screen = new TerminalScreen(terminal);
            screen.startScreen();
            try {
                return show(screen);
            } finally {
                screen.stopScreen();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The console form cannot use this terminal", e);
        }
    }

    /** Shows the form on a started screen (the tests' virtual terminal); as {@link #show()}. */
    Optional<Map<String, String>> show(Screen screen) {
        return new Session(screen).run();
    }

    /** One showing of the form. */
    private final class Session {

        private final MultiWindowTextGUI gui;
        private final BasicWindow window = new BasicWindow("Textual Inversion Training");
        private final List<InstalledModel> models = defaults.models().all();
        private final ComboBox<String> model = new ComboBox<>(models.stream().map(InstalledModel::name).toList());
        private final TextBox trigger = text("--placeholder_token", 30);
        private final TextBox initializer = text("--initializer_token", 30);
        private final CheckBox resume = new CheckBox("Resume from last saved checkpoint");
        private final TextBox dataDir = text("--train_data_dir", PATH_WIDTH);
        private final TextBox outputDir = text("--output_dir", PATH_WIDTH);
        private final TextBox resolution = number("--resolution");
        private final CheckBox centerCrop = new CheckBox("Center crop");
        private final ComboBox<String> mixedPrecision = new ComboBox<>("no", "fp16");
        private final TextBox maxSteps = number("--max_train_steps");
        private final TextBox batchSize = number("--train_batch_size");
        private final TextBox learningRate = text("--learning_rate", 12);
        private final CheckBox scaleLr = new CheckBox("Scale learning rate by number GPUs, steps and batch size");
        private final CheckBox fused = new CheckBox("Use xformers acceleration (fused attention)");
        private final ComboBox<String> scheduler = new ComboBox<>(schedules.get());
        private final TextBox accumulation = number("--gradient_accumulation_steps");
        private final TextBox warmup = number("--lr_warmup_steps");
        private final TextBox preview = text("--validation_prompt", PATH_WIDTH);
        private final Label message = new Label("");
        private Map<String, String> answers;

        Session(Screen screen) {
            gui = new MultiWindowTextGUI(screen, new DefaultWindowManager(),
                    new EmptySpace(TextColor.ANSI.BLUE));
        }

        Optional<Map<String, String>> run() {
            fill();
            Panel fields = new Panel(new GridLayout(2));
            row(fields, "Model Name:", model);
            row(fields, "Trigger Term:", trigger);
            row(fields, "Initializer:", initializer);
            row(fields, "", resume);
            row(fields, "Data Training Directory:", dataDir);
            row(fields, "Output Destination Directory:", outputDir);
            row(fields, "Image resolution (pixels):", resolution);
            row(fields, "", centerCrop);
            row(fields, "Mixed precision:", mixedPrecision);
            row(fields, "Max training steps:", maxSteps);
            row(fields, "Batch size (reduce if you run out of memory):", batchSize);
            row(fields, "Learning rate:", learningRate);
            row(fields, "", scaleLr);
            row(fields, "", fused);
            row(fields, "Learning rate scheduler:", scheduler);
            row(fields, "Gradient accumulation steps:", accumulation);
            row(fields, "Warmup steps:", warmup);
            row(fields, "Preview prompt (blank: none):", preview);
            Panel buttons = new Panel(new LinearLayout(Direction.HORIZONTAL));
            buttons.addComponent(new Button("OK", this::accept));
            buttons.addComponent(new Button("Cancel", window::close));
            Panel content = new Panel(new LinearLayout(Direction.VERTICAL));
            content.addComponent(fields);
            content.addComponent(message);
            content.addComponent(new Label("Tab/Shift-Tab or Ctrl-N/Ctrl-P: next/previous field; Space: tick; Enter on OK: train"));
            content.addComponent(buttons);
            window.setComponent(content);
            window.setHints(List.of(Window.Hint.CENTERED));
            window.addWindowListener(new WindowListenerAdapter() {
                @Override
                public void onInput(Window basePane, KeyStroke key, AtomicBoolean deliverEvent) {
                    if (key.isCtrlDown() && key.getKeyType() == KeyType.Character) {
                        char c = Character.toLowerCase(key.getCharacter());
                        if (c == 'n' || c == 'p') {
                            deliverEvent.set(false);
                            basePane.handleInput(new KeyStroke(c == 'n' ? KeyType.Tab : KeyType.ReverseTab));
                        }
                    }
                }
            });
            trigger.setTextChangeListener((text, byUser) -> triggerChanged(text));
            model.addListener((selected, previous, byUser) -> modelChanged());
            modelChanged();
            gui.addWindowAndWait(window);
            return Optional.ofNullable(answers);
        }

        private void fill() {
            select(model, values.get("--model"));
            if (values.getOrDefault("--train_data_dir", "").isBlank() || values.getOrDefault("--output_dir", "").isBlank()) {
                triggerChanged(trigger.getText());
            }
            resume.setChecked(!values.getOrDefault("--resume_from_checkpoint", "").isBlank()
                    || hasCheckpoints(outputDir.getText()));
            centerCrop.setChecked(Boolean.parseBoolean(values.get("--center_crop")));
            select(mixedPrecision, values.get("--mixed_precision"));
            scaleLr.setChecked(Boolean.parseBoolean(values.getOrDefault("--scale_lr", "true"))
                    && !Boolean.parseBoolean(values.getOrDefault("--no-scale_lr", "false")));
            fused.setChecked(!Boolean.parseBoolean(values.getOrDefault("--no_fused_attention", "false")));
            select(scheduler, values.get("--lr_scheduler"));
        }

        /** The folders follow the trigger, as InvokeAI's form does; resume is ticked when checkpoints exist. */
        private void triggerChanged(String text) {
            RootFolder root = defaults.root();
            try {
                dataDir.setText(root.trainingData(text).toString());
                outputDir.setText(root.trainingOutput(text).toString());
            } catch (IllegalArgumentException notYetAFolderName) {
                return;
            }
            resume.setChecked(hasCheckpoints(outputDir.getText()));
        }

        private void modelChanged() {
            int index = model.getSelectedIndex();
            if (index < 0 || index >= models.size()) {
                message.setText(models.isEmpty() ? "No models: put a diffusers folder under " + defaults.root().models()
                        + " or list one in configs/models.yaml" : "");
                return;
            }
            InstalledModel chosen = models.get(index);
            if (chosen.isTrainable()) {
                message.setText(chosen.architecture() + ", token width " + chosen.tokenWidths());
                message.setForegroundColor(TextColor.ANSI.BLACK);
            } else {
                showError(describeRefusal(chosen));
            }
        }

        private String describeRefusal(InstalledModel chosen) {
            try {
                chosen.trainablePath();
                return "";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        private void accept() {
            Map<String, String> chosen = collect();
            try {
                check.accept(chosen);
            } catch (IllegalArgumentException e) {
                showError(e.getMessage());
                return;
            }
            Map<String, String> saved = new LinkedHashMap<>(chosen);
            saved.remove("--root");
            try {
                SavedAnswers.write(defaults.root(), saved);
            } catch (IOException e) {
                showError("Cannot save the answers in " + SavedAnswers.file(defaults.root()) + ": " + e.getMessage());
                return;
            }
            answers = chosen;
            window.close();
        }

        private void showError(String text) {
            message.setText(wrap(text));
            message.setForegroundColor(TextColor.ANSI.RED);
        }

        /** The options the answers stand for, with the options given on the command line that the form does not show. */
        private Map<String, String> collect() {
            Map<String, String> chosen = new LinkedHashMap<>(defaults.given());
            chosen.put("--root", defaults.root().path().toString());
            chosen.put("--model", model.getSelectedIndex() < 0 ? "" : model.getSelectedItem());
            chosen.put("--placeholder_token", trigger.getText().strip());
            chosen.put("--initializer_token", initializer.getText().strip());
            if (resume.isChecked()) {
                chosen.put("--resume_from_checkpoint", "latest");
            } else {
                chosen.remove("--resume_from_checkpoint");
            }
            chosen.put("--train_data_dir", dataDir.getText().strip());
            chosen.put("--output_dir", outputDir.getText().strip());
            chosen.put("--resolution", resolution.getText().strip());
            chosen.put("--center_crop", Boolean.toString(centerCrop.isChecked()));
            chosen.put("--mixed_precision", mixedPrecision.getSelectedItem());
            chosen.put("--max_train_steps", maxSteps.getText().strip());
            chosen.put("--train_batch_size", batchSize.getText().strip());
            chosen.put("--learning_rate", learningRate.getText().strip());
            chosen.put("--scale_lr", Boolean.toString(scaleLr.isChecked()));
            chosen.remove("--no-scale_lr");
            chosen.put("--no_fused_attention", Boolean.toString(!fused.isChecked()));
            chosen.put("--lr_scheduler", scheduler.getSelectedIndex() < 0 ? "" : scheduler.getSelectedItem());
            chosen.put("--gradient_accumulation_steps", accumulation.getText().strip());
            chosen.put("--lr_warmup_steps", warmup.getText().strip());
            // blank counts as not given (the option has no default): the run then draws no images at all
            chosen.put("--validation_prompt", preview.getText().strip());
            return chosen;
        }

        private TextBox text(String option, int width) {
            return new TextBox(new TerminalSize(width, 1), values.getOrDefault(option, ""));
        }

        private TextBox number(String option) {
            return text(option, 8);
        }

        private void row(Panel panel, String label, Component component) {
            panel.addComponent(new Label(label));
            panel.addComponent(component);
        }
    }

    private static void select(ComboBox<String> box, String value) {
        for (int i = 0; i < box.getItemCount(); i++) {
            if (box.getItem(i).equals(value)) {
                box.setSelectedIndex(i);
                return;
            }
        }
    }

    static boolean hasCheckpoints(String outputDir) {
        Path folder = Path.of(outputDir.isBlank() ? "." : outputDir);
        if (outputDir.isBlank() || !Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.anyMatch(child -> Files.isDirectory(child)
                    && CHECKPOINT.matcher(child.getFileName().toString()).matches());
        } catch (IOException e) {
            return false;
        }
    }

    private static String wrap(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > 90 && line.length() > 0) {
                lines.add(line.toString());
                line = new StringBuilder();
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return String.join("\n", lines);
    }

}

package org.neologism.frontends.form;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.InstalledModels;
import org.neologism.core.root.RootFolder;

/**
 * What the form shows first: InvokeAI's form defaults (TRAINING.md's "TUI:" values), overridden by the
 * last saved answers, overridden by the options given on the command line.
 *
 * @param root  the root folder the run uses
 * @param given options given on the command line, by canonical name
 */
public record FormDefaults(RootFolder root, Map<String, String> given) {

    /** The form's own defaults where they differ from the command line's (InvokeAI's TUI values). */
    public static final Map<String, String> TUI = Map.of(
            "--gradient_accumulation_steps", "4",
            "--max_train_steps", "2500",
            "--learning_rate", "5e-4",
            "--lr_warmup_steps", "0",
            "--mixed_precision", "fp16",
            // The command line leaves it to the model (an SDXL model's own size); InvokeAI's form shows 512.
            "--resolution", "512");

    public FormDefaults {
        given = Map.copyOf(given);
    }

    /** The initial value of each option the form knows, by option name; {@code commandLine} gives the rest. */
    public Map<String, String> initial(Map<String, String> commandLineDefaults) {
        Map<String, String> values = new HashMap<>(commandLineDefaults);
        values.putAll(TUI);
        List<InstalledModel> trainable = models().trainable();
        if (!trainable.isEmpty()) {
            values.put("--model", trainable.get(0).name());
        }
        values.putAll(SavedAnswers.read(root));
        values.putAll(given);
        values.put("--root", root.path().toString());
        return values;
    }

    public InstalledModels models() {
        return InstalledModels.of(root);
    }
}

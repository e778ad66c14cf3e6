package org.neologism.frontends.invokeaiti;

import org.neologism.core.training.TrainingCommandLine;

/** {@code invokeai-ti --help}: argparse's layout, with the option table's texts (those of {@code help ti:train}). */
final class Usage {

    /** ti:train's own description speaks of background jobs; invokeai-ti always runs in the foreground. */
    static final String DESCRIPTION = "Learn a trigger's embedding from a folder of images (textual inversion, as diffusers"
            + " and invokeai-ti train it), in the foreground with a progress bar. Ctrl-C writes a checkpoint and stops;"
            + " --resume_from_checkpoint latest continues. The options are those of ti:train in the Neologism shell.";

    private Usage() {}

    static String of(TrainingCommandLine commandLine) {
        StringBuilder text = new StringBuilder();
        text.append("usage: invokeai-ti [--help] [--gui] --placeholder_token TRIGGER [--model MODEL] [options]\n\n");
        TrainingCommandLine.wrap(DESCRIPTION, 0).forEach(line -> text.append(line).append('\n'));
        text.append("\nThe trigger and other values with < > or spaces must be quoted for the shell: '<cat-toy>'.\n");
        text.append("Options take their value as --option value or --option=value.\n\noptions:\n");
        text.append(commandLine.optionsHelp());
        return text.toString();
    }
}

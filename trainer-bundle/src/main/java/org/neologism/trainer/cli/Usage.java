package org.neologism.trainer.cli;

import java.util.ArrayList;
import java.util.List;

/** {@code invokeai-ti --help}: argparse's layout, the texts of {@code help ti:train}. */
final class Usage {

    private static final int WIDTH = 100;
    private static final int HELP_COLUMN = 40;

    /** ti:train's own description speaks of background jobs; invokeai-ti always runs in the foreground. */
    static final String DESCRIPTION = "Learn a trigger's embedding from a folder of images (textual inversion, as diffusers"
            + " and invokeai-ti train it), in the foreground with a progress bar. Ctrl-C writes a checkpoint and stops;"
            + " --resume_from_checkpoint latest continues. The options are those of ti:train in the Neologism shell.";

    private Usage() {}

    static String of(TrainOptions options) {
        StringBuilder text = new StringBuilder();
        text.append("usage: invokeai-ti [--help] [--gui] --placeholder_token TRIGGER [--model MODEL] [options]\n\n");
        wrap(DESCRIPTION, 0).forEach(line -> text.append(line).append('\n'));
        text.append("\nThe trigger and other values with < > or spaces must be quoted for the shell: '<cat-toy>'.\n");
        text.append("Options take their value as --option value or --option=value.\n\noptions:\n");
        row(text, "-h, --help", "show this help and exit");
        row(text, "--gui", "open the console form (the values given here and the last answers prefill it)");
        for (TrainOption option : options.all()) {
            String names = String.join(", ", option.names()) + (option.isSwitch() ? "" : " " + option.metavar());
            row(text, names, option.help());
        }
        return text.toString();
    }

    private static void row(StringBuilder text, String names, String help) {
        String head = "  " + names;
        List<String> lines = wrap(help, HELP_COLUMN);
        if (head.length() + 2 > HELP_COLUMN) {
            text.append(head).append('\n');
        } else {
            text.append(head).append(" ".repeat(HELP_COLUMN - head.length())).append(lines.remove(0).strip()).append('\n');
        }
        lines.forEach(line -> text.append(line).append('\n'));
    }

    private static List<String> wrap(String text, int indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(" ".repeat(indent));
        for (String word : text.split("\\s+")) {
            if (line.length() > indent && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(" ".repeat(indent));
            }
            if (line.length() > indent) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}

package org.neologism.shell;

import java.util.List;
import java.util.Optional;

/**
 * A Gogo command of the {@code ti} scope as its methods describe it.
 *
 * @param name        the scoped name, e.g. {@code ti:train}
 * @param description the longest {@code @Descriptor} of its methods (the one with the most
 *                    parameters), or empty
 * @param options     every {@code --option} of every method
 */
record CommandDescription(String name, String description, List<CommandOption> options) {

    /** The longest summary {@code help} prints, so that it stays on one line of a terminal. */
    static final int SUMMARY_WIDTH = 100;

    /**
     * What {@code help} shows on one line: the description up to its first sentence or clause end
     * ({@code . } {@code ; } {@code : }), shortened at a word to {@value #SUMMARY_WIDTH} characters.
     */
    String summary() {
        String text = description.strip();
        int end = text.length();
        for (String stop : new String[] {". ", "; ", ": "}) {
            int at = text.indexOf(stop);
            if (at > 0 && at < end) {
                end = at;
            }
        }
        text = text.substring(0, end);
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.length() > SUMMARY_WIDTH) {
            int space = text.lastIndexOf(' ', SUMMARY_WIDTH - 1);
            text = text.substring(0, space > 0 ? space : SUMMARY_WIDTH - 1) + "…";
        }
        return text;
    }

    Optional<CommandOption> option(String name) {
        return options.stream().filter(option -> option.names().contains(name)).findFirst();
    }
}

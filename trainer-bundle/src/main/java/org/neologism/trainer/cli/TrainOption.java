package org.neologism.trainer.cli;

import java.util.List;
import java.util.Locale;

/**
 * One option of {@code ti:train}, as the command line knows it.
 *
 * @param names        its spellings, the canonical one first ({@code --placeholder_token}, {@code --trigger})
 * @param help         what it does (the command's {@code @Descriptor}, the same text {@code help ti:train} shows)
 * @param defaultValue the value when absent, as text; empty when there is none
 * @param presentValue for a switch, its value when given; null for an option that takes a value
 * @param type         the Java type of the value
 * @param position     the parameter index in {@code ti:train}
 */
record TrainOption(List<String> names, String help, String defaultValue, String presentValue, Class<?> type, int position) {

    String name() {
        return names.get(0);
    }

    boolean isSwitch() {
        return presentValue != null;
    }

    /** argparse's metavar: the name without dashes, upper case. */
    String metavar() {
        return name().replaceFirst("^-+", "").toUpperCase(Locale.ROOT);
    }

    /** The value as {@code ti:train}'s parameter takes it; a user error names the option and the value. */
    Object convert(String value) {
        try {
            if (type == int.class || type == Integer.class) {
                return Integer.valueOf(value.strip());
            }
            if (type == long.class || type == Long.class) {
                return Long.valueOf(value.strip());
            }
            if (type == double.class || type == Double.class) {
                return Double.valueOf(value.strip());
            }
        } catch (NumberFormatException e) {
            String kind = type == double.class || type == Double.class ? "a number" : "a whole number";
            throw new BadCommandLineException(name() + " expects " + kind + ", not '" + value + "'");
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.valueOf(value);
        }
        return value;
    }
}

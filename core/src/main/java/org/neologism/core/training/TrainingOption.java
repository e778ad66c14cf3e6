package org.neologism.core.training;

import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One option of a training request as every front end offers it: its spellings, the type of its value,
 * its default and its help. {@link TrainingOptions#ALL} is the table; the command lines, their help and
 * the console form are derived from it.
 */
public final class TrainingOption {

    /** What kind of value an option takes. */
    public enum Type {
        TEXT, WHOLE_NUMBER, NUMBER, PATH,
        /** Takes no value: present means {@code "true"}. */
        SWITCH
    }

    private final List<String> names;
    private final Type type;
    private final String help;
    private final Function<TrainingRequest, Object> shown;
    private final BiConsumer<TrainingRequest.Builder, String> apply;
    private final boolean helpNamesDefault;

    TrainingOption(List<String> names, Type type, String help, Function<TrainingRequest, Object> shown,
                   BiConsumer<TrainingRequest.Builder, String> apply, boolean helpNamesDefault) {
        this.names = List.copyOf(names);
        this.type = type;
        this.help = help;
        this.shown = shown;
        this.apply = apply;
        this.helpNamesDefault = helpNamesDefault;
    }

    /** The canonical spelling, e.g. {@code --placeholder_token}. */
    public String name() {
        return names.get(0);
    }

    /** Every spelling, the canonical one first ({@code --placeholder_token}, {@code --trigger}). */
    public List<String> names() {
        return names;
    }

    public Type type() {
        return type;
    }

    public boolean isSwitch() {
        return type == Type.SWITCH;
    }

    /** What the option does, with its default where it has one: the text of every help screen. */
    public String help() {
        String defaultValue = defaultValue();
        return helpNamesDefault && !defaultValue.isEmpty() ? help + " (default " + defaultValue + ")" : help;
    }

    /** The value when the option is not given, as text; empty when it has none. */
    public String defaultValue() {
        return valueIn(TrainingOptions.DEFAULTS);
    }

    /** This option's value in a request, as text ({@code "true"}/{@code "false"} for a switch); empty when unset. */
    public String valueIn(TrainingRequest request) {
        Object value = shown.apply(request);
        return value == null ? "" : value.toString();
    }

    /** argparse's metavar: the name without dashes, upper case. */
    public String metavar() {
        return name().replaceFirst("^-+", "").toUpperCase(Locale.ROOT);
    }

    /**
     * Checks that {@code text} is a value of this option's type.
     *
     * @throws InvalidTrainingRequestException naming the option and the value
     */
    public void check(String text) {
        try {
            switch (type) {
                case WHOLE_NUMBER -> Long.parseLong(text.strip());
                case NUMBER -> Double.parseDouble(text.strip());
                default -> { }
            }
        } catch (NumberFormatException e) {
            String kind = type == Type.NUMBER ? "a number" : "a whole number";
            throw new InvalidTrainingRequestException(name() + " expects " + kind + ", not '" + text + "'");
        }
    }

    /** Sets this option's field of {@code builder} from its text; a value it cannot take names the option. */
    void applyTo(TrainingRequest.Builder builder, String text) {
        check(text);
        try {
            apply.accept(builder, text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidTrainingRequestException(name() + " expects a whole number up to " + Integer.MAX_VALUE
                    + ", not '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return name();
    }
}

package org.neologism.core.schedule;

/**
 * A parameter a schedule accepts beyond warmup and total steps, as the shell and the console form show
 * it. Values travel as text (they come from a command line or a form field); the typed readers below
 * refuse a bad value with a message that names the parameter.
 *
 * @param name         the parameter name, e.g. {@code num_cycles} (the keyword diffusers' {@code get_scheduler} takes)
 * @param defaultValue the value used when the user gives none, as text
 * @param description  one line for help screens
 */
public record ScheduleParameter(String name, String defaultValue, String description) {

    public ScheduleParameter {
        if (name == null || name.isBlank() || !name.equals(name.strip())) {
            throw new IllegalArgumentException("A schedule parameter needs a name without surrounding spaces, got '" + name + "'");
        }
    }

    /** The value the settings give this parameter, or its default. */
    public String textIn(ScheduleSettings settings) {
        return settings.parameter(name, defaultValue);
    }

    /**
     * The parameter as a finite number.
     *
     * @throws IllegalArgumentException naming the parameter when its value is not a finite number
     */
    public double numberIn(ScheduleSettings settings) {
        String text = textIn(settings).strip();
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw refused(text, "is not a number");
        }
        if (!Double.isFinite(value)) {
            throw refused(text, "is not a finite number");
        }
        return value;
    }

    /**
     * The parameter as a whole number.
     *
     * @throws IllegalArgumentException naming the parameter when its value is not a whole number
     */
    public long wholeNumberIn(ScheduleSettings settings) {
        String text = textIn(settings).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw refused(text, "is not a whole number");
        }
    }

    /** A refusal of {@code value} for this parameter, e.g. {@code num_cycles=-1: must be positive (default 1)}. */
    public IllegalArgumentException refused(String value, String reason) {
        return new IllegalArgumentException(
                "Parameter " + name + "=" + value + " " + reason + " (default " + defaultValue + ": " + description + ")");
    }
}

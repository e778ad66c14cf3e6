package org.neologism.core.schedule;

/**
 * A parameter a schedule accepts, as the shell and the console form show it.
 *
 * @param name         the option name, e.g. {@code lr_num_cycles}
 * @param defaultValue the value used when the user gives none, as text
 * @param description  one line for help screens
 */
public record ScheduleParameter(String name, String defaultValue, String description) {}

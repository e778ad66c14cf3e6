package org.neologism.shell;

import java.util.List;

/**
 * One {@code --option} of a Gogo command, as its {@code @Parameter} declares it.
 *
 * @param names       the option's names, e.g. {@code --placeholder_token} and {@code --trigger}
 * @param takesValue  whether a value follows it (a flag has none)
 * @param valueType   the Java type of that value: files are offered only for text values
 * @param description its {@code @Descriptor}, or empty
 */
record CommandOption(List<String> names, boolean takesValue, Class<?> valueType, String description) {

    boolean textValue() {
        return takesValue && (valueType == String.class || valueType == Object.class || valueType == java.nio.file.Path.class);
    }
}

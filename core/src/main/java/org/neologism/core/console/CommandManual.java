package org.neologism.core.console;

import java.util.Optional;

/**
 * Implemented by a Gogo command service whose help its Java methods cannot give: a function named with a
 * hyphen or a Java keyword ({@code ti:tensor-check}, {@code ti:import}, which Gogo reaches through
 * {@code _main}), or options that come from a table rather than from {@code @Parameter} annotations
 * ({@code ti:train}). The shell's {@code help} prints the manual when there is one.
 */
public interface CommandManual {

    /** The text {@code help scope:function} prints, or empty to let the method annotations speak. */
    Optional<String> manual(String function);
}

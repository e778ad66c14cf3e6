package org.neologism.core.settings;

import org.neologism.core.root.RootFolder;

/**
 * What a host configures for Neologism through ConfigAdmin, under the PID {@value #PID} (with an
 * OSGi Metatype description, so Karaf's {@code config:} commands and the Felix web console show it).
 * Each value has a per-command override: {@code --root}, {@code --device}.
 */
public interface Settings {

    String PID = "org.neologism";

    /**
     * The root folder: the configured {@code root}, else the framework or system property
     * {@code neologism.root}, else {@code NEOLOGISM_ROOT}, else an existing {@code INVOKEAI_ROOT}, else
     * {@code ~/neologism}.
     */
    RootFolder root();

    /** A command's {@code --root} when it is given (not blank), else {@link #root()}. */
    default RootFolder root(String option) {
        return option == null || option.isBlank() ? root() : new RootFolder(java.nio.file.Path.of(option).toAbsolutePath());
    }

    /** The device training runs on when a command names none: {@code cpu}, {@code gpu}, {@code gpu:N}; blank for a GPU when one is visible. */
    String device();

    /** libtorch's intra-op CPU threads; 0 for libtorch's default (one per core). Read when libtorch loads. */
    int cpuThreads();
}

package org.neologism.core.internal.settings;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The Metatype description of PID {@code org.neologism}: what {@code config:} commands and web consoles show. */
@ObjectClassDefinition(id = "org.neologism", name = "Neologism",
        description = "Textual-inversion training: where files go, and what trains them. Each value can be overridden per command (--root, --device).")
@interface SettingsConfiguration {

    @AttributeDefinition(name = "Root folder",
            description = "Where embeddings, training data, outputs and models live (InvokeAI's layout). Empty: the property"
                    + " neologism.root, else NEOLOGISM_ROOT, else an existing INVOKEAI_ROOT, else ~/neologism.")
    String root() default "";

    @AttributeDefinition(name = "Default device",
            description = "cpu, gpu or gpu:N for commands that name no --device. Empty: a GPU when one is visible, else the CPU.")
    String device() default "";

    @AttributeDefinition(name = "CPU threads",
            description = "libtorch's intra-op threads. 0: libtorch's default, one per core. Read when libtorch loads: restart the host to change it.",
            min = "0")
    int cpu_threads() default 0;
}

/** The host's configuration of Neologism (ConfigAdmin PID {@code org.neologism}): root folder, device, CPU threads. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.settings;

/** Learning-rate schedules: services named by {@code scheduler.name}, looked up at every step. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.schedule;

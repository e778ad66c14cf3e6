/** Learning-rate schedules: services named by {@code scheduler.name}, looked up at every step. 1.1.0: {@code LiveSchedule.Listener}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.neologism.core.schedule;

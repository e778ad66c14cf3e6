/**
 * What every console front end shares: a job followed with a progress bar, one job on one line, and the
 * manual a shell command gives {@code help} when Gogo cannot read it from the command's Java methods.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.console;

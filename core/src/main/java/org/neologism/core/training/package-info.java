/** Training requests, the trainer service and the progress a running job reports. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.neologism.core.training;

/**
 * Training requests (one immutable value, its option table and command line), the trainer service and the
 * progress a running job reports. 2.0: typed request fields, the builder and validation, the option table.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.neologism.core.training;

/** Training images: the dataset loader service and what it produces. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.dataset;

/** Line charts as PNG files: learning-rate curves and training losses. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.plot;

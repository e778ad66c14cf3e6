/** Embeddings as plain arrays, and the codec SPI that reads and writes them in every format. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.embedding;

/**
 * Embeddings as plain arrays, the codec SPI that reads and writes them in every format, and the library of
 * installed embeddings. 1.1.0 added {@code Embedding.encoder()} (the halves of an SDXL pair) and
 * {@code EmbeddingLibrary}; 1.2.0 the names of the formats a training run writes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.neologism.core.embedding;

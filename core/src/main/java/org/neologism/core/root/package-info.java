/**
 * The root folder and its layout, shared with InvokeAI: embeddings, training data, outputs, models. 2.0.0: single-file
 * checkpoints (models.yaml ckpt entries, loose files) are installed models too ({@code InstalledModel.trainablePath},
 * {@code CheckpointFamily}), and {@code InstalledModel.modelDescription()} describes a diffusers folder. 2.1.0: a
 * recognised checkpoint has both SDXL token widths ({@code CheckpointFamily.Recognised.tokenWidth2}, {@code tokenWidths}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.neologism.core.root;

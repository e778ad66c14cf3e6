/**
 * The root folder and its layout, shared with InvokeAI: embeddings, training data, outputs, models. 1.2.0
 * added {@code InstalledModel.modelDescription()}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.neologism.core.root;

/**
 * Training images: the dataset loader service, what it produces, and the prompt templates a sample
 * without a caption is trained with. 1.1.0 added repeats, flip probability, the trigger for captions,
 * {@link org.neologism.core.dataset.TrainingDataset#length()} / {@code sample(int)} and
 * {@link org.neologism.core.dataset.PromptTemplates}. 1.2.0 added the loader's image warnings
 * ({@link org.neologism.core.dataset.TrainingDataset#warnings()}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.neologism.core.dataset;

/**
 * Training requests, the trainer service and the progress a running job reports. 1.2.0 added
 * {@code --overwrite_output_dir} ({@link org.neologism.core.training.TrainingRequest#overwriteOutputDir()}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.neologism.core.training;

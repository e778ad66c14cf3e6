/**
 * Training requests (one immutable value, its option table and command line), the trainer service and the
 * progress a running job reports. 1.2.0 added {@code --overwrite_output_dir}; 2.0.0 typed the request's
 * fields, gave it a builder and {@code validate()}, the option table and command line, and
 * {@code Trainer.problems}; 2.1.0 added {@code --validation_prompt}, {@code --num_validation_images} and
 * {@code --validation_steps}; 2.2.0 the single-file
 * options {@code --original_config}, {@code --prediction_type}, {@code --tokenizer}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.1.0")
package org.neologism.core.training;

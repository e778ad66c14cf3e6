/**
 * Image samplers (diffusers' "schedulers"): services named by {@code sampler.name} that turn a model's
 * {@code scheduler_config.json} and a step count into a {@link org.neologism.core.sampling.SamplingPlan},
 * pure arithmetic that the generation loop applies to tensors.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.neologism.core.sampling;

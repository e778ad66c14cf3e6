package org.neologism.core.sampling;

/**
 * A text-to-image sampler, as diffusers builds one with {@code Cls.from_config(pipe.scheduler.config)}.
 *
 * <p>Each sampler is a service with the property {@value #NAME_PROPERTY} (e.g. {@code dpmpp_2m}), so a
 * bundle can add one. A sampler keeps no state: {@link #plan} computes every step up front, as linear
 * combinations that the generation loop evaluates on tensors.
 */
public interface Sampler {

    /** Service property holding the sampler's name, what users pass to {@code --sampler}. */
    String NAME_PROPERTY = "sampler.name";

    /** The name users pass to {@code --sampler}, e.g. {@code euler_a}. */
    String name();

    /** What a person calls it, e.g. {@code DPM++ 2M Karras}. */
    String label();

    /**
     * The timesteps, sigmas and per-step coefficients of {@code steps} inference steps with the model's
     * scheduler values (keys the file lacks take this sampler's class defaults, as in {@code from_config}).
     *
     * @throws IllegalArgumentException naming the config key and the values this sampler supports
     */
    SamplingPlan plan(SchedulerValues config, int steps);
}

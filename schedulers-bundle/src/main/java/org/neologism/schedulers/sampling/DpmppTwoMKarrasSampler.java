package org.neologism.schedulers.sampling;

import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.osgi.service.component.annotations.Component;

/**
 * DPM++ 2M Karras: DPM++ 2M with {@code use_karras_sigmas=True}. The sigmas span the whole training table
 * whatever the spacing, and the UNet gets the rounded timestep of each sigma.
 */
@Component(property = Sampler.NAME_PROPERTY + "=dpmpp_2m_karras")
public class DpmppTwoMKarrasSampler implements Sampler {

    @Override
    public String name() {
        return "dpmpp_2m_karras";
    }

    @Override
    public String label() {
        return "DPM++ 2M Karras";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        return DpmSolverMultistep.plan(config, steps, label(), true);
    }
}

package org.neologism.schedulers.sampling;

import org.neologism.core.sampling.Sampler;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.core.sampling.SchedulerValues;
import org.osgi.service.component.annotations.Component;

/** DPM++ 2M: {@code DPMSolverMultistepScheduler(algorithm_type="dpmsolver++", solver_order=2)}. */
@Component(property = Sampler.NAME_PROPERTY + "=dpmpp_2m")
public class DpmppTwoMSampler implements Sampler {

    @Override
    public String name() {
        return "dpmpp_2m";
    }

    @Override
    public String label() {
        return "DPM++ 2M";
    }

    @Override
    public SamplingPlan plan(SchedulerValues config, int steps) {
        return DpmSolverMultistep.plan(config, steps, label(), false);
    }
}

package org.neologism.trainer.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.neologism.core.sampling.SamplerStep;
import org.neologism.core.sampling.SamplingPlan;
import org.neologism.trainer.model.unet.AddedConditions;
import org.neologism.trainer.model.unet.UNet2DCondition;

/**
 * The denoising loop of diffusers' text-to-image pipelines for one image: latents = init · init_noise_sigma,
 * then per step the UNet on the scaled latents (twice, [negative, prompt], with guidance), the guided noise
 * prediction, and the sampler's linear update. Each step runs in its own NDManager; only the few
 * samples and outputs the sampler looks back on are kept between steps, as float arrays.
 */
public final class DenoisingLoop {

    /** What a step saw, valid during the call only (the step's scope closes after it). */
    public record StepTensors(NDArray modelInput, NDArray uncond, NDArray text, NDArray guidedBeforeRescale,
                              NDArray guided, NDArray latents) {}

    /** Called after every step: progress, or the parity tests' recording. */
    @FunctionalInterface
    public interface StepObserver {
        void stepDone(int step, int total, StepTensors tensors);
    }

    private final UNet2DCondition unet;

    public DenoisingLoop(UNet2DCondition unet) {
        this.unet = unet;
    }

    /**
     * @param initial  the initial latents [1, C, h, w] (before init_noise_sigma)
     * @param prompt   the prompt's conditioning
     * @param negative the negative conditioning, used only when {@code guidance} is enabled
     * @param timeIds  SDXL's {@code add_time_ids} [6], the same for both halves; null for SD 1.x/2.x
     * @return the final latents [1, C, h, w]
     */
    public float[] run(NDManager parent, SamplingPlan plan, float[] initial, Shape shape, EncodedPrompt prompt,
                       EncodedPrompt negative, float[] timeIds, Guidance guidance, NoiseSource noise,
                       StepObserver observer) {
        boolean cfg = guidance.enabled();
        float initSigma = (float) plan.initNoiseSigma();
        float[] x = initial.clone();
        if (initSigma != 1f) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= initSigma;
            }
        }
        int keep = plan.lookBack() + 1;
        Deque<float[]> samples = new ArrayDeque<>();
        Deque<float[]> outputs = new ArrayDeque<>();
        List<SamplerStep> steps = plan.steps();
        for (int k = 0; k < steps.size(); k++) {
            SamplerStep step = steps.get(k);
            try (NDManager scope = parent.newSubManager()) {
                NDArray latents = scope.create(x, shape);
                NDArray modelInput = step.inputScale() == 1 ? latents : latents.mul((float) step.inputScale());
                NDArray timestep = scope.create(new float[] {(float) step.timestep()}, new Shape(1));
                NDArray uncondOut = null;
                NDArray textOut;
                NDArray guided;
                NDArray beforeRescale = null;
                if (cfg) {
                    // diffusers' order: [negative, prompt] for the latents, the embeddings and SDXL's added conditions.
                    NDArray both = unet.forward(modelInput.concat(modelInput, 0), timestep,
                            negative.embeds(scope).concat(prompt.embeds(scope), 0),
                            added(scope, timeIds, negative, prompt));
                    NDList halves = both.split(2, 0);
                    uncondOut = halves.get(0);
                    textOut = halves.get(1);
                    guided = uncondOut.add(textOut.sub(uncondOut).mul((float) guidance.scale()));
                    if (guidance.rescale() > 0) {
                        beforeRescale = guided;
                        guided = rescale(guided, textOut, guidance.rescale());
                    }
                } else {
                    textOut = unet.forward(modelInput, timestep, prompt.embeds(scope), added(scope, timeIds, prompt));
                    guided = textOut;
                }
                samples.addFirst(x);
                outputs.addFirst(guided.toType(DataType.FLOAT32, false).toFloatArray());
                NDArray next = combine(scope, step, samples, outputs, shape);
                if (step.noise() != 0) {
                    next = next.add(noise.step(scope, k, shape).mul((float) step.noise()));
                }
                x = next.toFloatArray();
                while (samples.size() > keep) {
                    samples.removeLast();
                    outputs.removeLast();
                }
                if (observer != null) {
                    observer.stepDone(k, steps.size(),
                            new StepTensors(modelInput, uncondOut, textOut, beforeRescale, guided, next));
                }
            }
        }
        return x;
    }

    /** SDXL's {@code added_cond_kwargs} for a UNet batch of {@code parts}: their pooled embeddings, the time ids per part. */
    private static AddedConditions added(NDManager scope, float[] timeIds, EncodedPrompt... parts) {
        int batch = parts.length;
        if (timeIds == null) {
            return null;
        }
        NDArray pooled = parts[0].pooled(scope);
        for (int i = 1; i < parts.length; i++) {
            pooled = pooled.concat(parts[i].pooled(scope), 0);
        }
        float[] ids = new float[timeIds.length * batch];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(timeIds, 0, ids, b * timeIds.length, timeIds.length);
        }
        return new AddedConditions(pooled, scope.create(ids, new Shape(batch, timeIds.length)));
    }

    /** Σ sample[j]·x_{k−j} + Σ output[j]·m_{k−j}, terms with a zero coefficient left out. */
    private static NDArray combine(NDManager scope, SamplerStep step, Deque<float[]> samples, Deque<float[]> outputs,
                                   Shape shape) {
        List<NDArray> terms = new ArrayList<>();
        addTerms(scope, step.sample(), samples, shape, terms);
        addTerms(scope, step.output(), outputs, shape, terms);
        NDArray sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            sum = sum.add(terms.get(i));
        }
        return sum;
    }

    private static void addTerms(NDManager scope, double[] coefficients, Deque<float[]> history, Shape shape,
                                 List<NDArray> terms) {
        int j = 0;
        for (float[] values : history) {
            if (j < coefficients.length && coefficients[j] != 0) {
                NDArray term = scope.create(values, shape);
                terms.add(coefficients[j] == 1 ? term : term.mul((float) coefficients[j]));
            }
            j++;
        }
        if (coefficients.length > history.size() && nonZeroBeyond(coefficients, history.size())) {
            throw new IllegalStateException("the sampler reads " + coefficients.length + " steps back, the loop kept "
                    + history.size());
        }
    }

    private static boolean nonZeroBeyond(double[] coefficients, int from) {
        for (int j = from; j < coefficients.length; j++) {
            if (coefficients[j] != 0) {
                return true;
            }
        }
        return false;
    }

    /** diffusers' {@code rescale_noise_cfg} with torch's (unbiased) std over all non-batch dimensions, batch 1. */
    static NDArray rescale(NDArray guided, NDArray text, double phi) {
        NDArray ratio = std(text).div(std(guided));
        NDArray rescaled = guided.mul(ratio);
        return rescaled.mul((float) phi).add(guided.mul((float) (1 - phi)));
    }

    private static NDArray std(NDArray x) {
        long n = x.getShape().size();
        NDArray centred = x.sub(x.mean());
        return centred.square().sum().div((float) (n - 1)).sqrt();
    }
}

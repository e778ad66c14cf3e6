package org.neologism.trainer.training;

/**
 * AdamW with decoupled weight decay on the trainable vectors only, element by element as PyTorch
 * 1.13's single-tensor {@code _single_tensor_adamw} computes it in float32 on the CPU (the vector
 * kernels' rounding order: {@code add} with alpha is a fused multiply-add, {@code addcmul} and
 * {@code addcdiv} are not):
 *
 * <pre>
 * p *= 1 - lr*wd
 * m  = b1*m + (1-b1)*g
 * v  = b2*v + (1-b2)*g*g
 * p += -(lr / (1 - b1^t)) * (m / (sqrt(v) / sqrt(1 - b2^t) + eps))
 * </pre>
 *
 * The vectors are a few thousand floats, so the update runs in Java: exact, and its state is plain
 * arrays a checkpoint stores as they are.
 */
public final class AdamW {

    /** The optimiser's hyper-parameters, under diffusers' option names. */
    public record Settings(double beta1, double beta2, double weightDecay, double epsilon) {}

    private final Settings settings;
    private final float[] firstMoment;
    private final float[] secondMoment;
    private long step;

    public AdamW(Settings settings, int size) {
        this(settings, new float[size], new float[size], 0);
    }

    /** Restores the state a checkpoint saved. */
    public AdamW(Settings settings, float[] firstMoment, float[] secondMoment, long step) {
        if (firstMoment.length != secondMoment.length) {
            throw new IllegalArgumentException("AdamW moments differ in size: " + firstMoment.length + " and " + secondMoment.length);
        }
        this.settings = settings;
        this.firstMoment = firstMoment.clone();
        this.secondMoment = secondMoment.clone();
        this.step = step;
    }

    /** Updates {@code parameters} in place from their gradient, at learning rate {@code lr}. */
    public void step(float[] parameters, float[] gradient, double lr) {
        if (parameters.length != firstMoment.length || gradient.length != firstMoment.length) {
            throw new IllegalArgumentException("AdamW holds " + firstMoment.length + " values, got "
                    + parameters.length + " parameters and " + gradient.length + " gradients");
        }
        step++;
        float decay = (float) (1 - lr * settings.weightDecay());
        float beta1 = (float) settings.beta1();
        float oneMinusBeta1 = (float) (1 - settings.beta1());
        float beta2 = (float) settings.beta2();
        float oneMinusBeta2 = (float) (1 - settings.beta2());
        double biasCorrection1 = 1 - Math.pow(settings.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(settings.beta2(), step);
        float negativeStepSize = (float) -(lr / biasCorrection1);
        float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsilon = (float) settings.epsilon();
        for (int i = 0; i < parameters.length; i++) {
            float g = gradient[i];
            parameters[i] = parameters[i] * decay;
            firstMoment[i] = Math.fma(g, oneMinusBeta1, firstMoment[i] * beta1);
            secondMoment[i] = secondMoment[i] * beta2 + oneMinusBeta2 * g * g;
            float denominator = (float) Math.sqrt(secondMoment[i]) / biasCorrection2Sqrt + epsilon;
            parameters[i] = parameters[i] + negativeStepSize * (firstMoment[i] / denominator);
        }
    }

    public long stepCount() {
        return step;
    }

    public float[] firstMoment() {
        return firstMoment.clone();
    }

    public float[] secondMoment() {
        return secondMoment.clone();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "AdamW[step " + step + ", " + firstMoment.length + " values, " + settings + "]";
    }
}

package org.neologism.trainer.training;

/**
 * Where a training step's time goes: the step calls {@link #lap} as each phase ends. Training runs with
 * {@link #NONE}; the benchmark times the laps. On the CPU libtorch returns when an operation is done, so
 * a lap is the phase's cost; on a GPU a clock must synchronise the device to mean the same.
 */
@FunctionalInterface
public interface StepClock {

    /** The phases of a step, in the order they run. */
    enum Phase {
        BATCH("batch drawn"),
        VAE_ENCODE("VAE encode (no latent cache)"),
        UPLOAD("host→device inputs"),
        NOISING("posterior sample and noising"),
        TEXT_ENCODER("text encoder forward"),
        UNET_FORWARD("UNet forward"),
        LOSS("loss"),
        BACKWARD("backward"),
        DOWNLOAD("device→host loss and gradient"),
        OPTIMIZER("optimizer");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    StepClock NONE = finished -> {};

    void lap(Phase finished);
}

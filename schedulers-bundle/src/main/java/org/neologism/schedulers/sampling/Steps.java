package org.neologism.schedulers.sampling;

/** Checks shared by every sampler. */
final class Steps {

    private Steps() {}

    static void requirePositive(int steps, String sampler) {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1 for the " + sampler + " sampler, got " + steps);
        }
    }
}

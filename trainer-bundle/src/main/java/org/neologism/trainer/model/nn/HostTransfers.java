package org.neologism.trainer.model.nn;

/**
 * Counts the host round trips of a step while a benchmark watches: every tensor built from Java values
 * (an upload, which on a GPU is a copy the step waits for) and every value read back (a download, which
 * also waits for the device to finish). Off, a call site pays one read of a thread-local.
 */
public final class HostTransfers {

    /** What one watched step moved between host and device. */
    public static final class Tally {
        private int uploads;
        private int downloads;

        public int uploads() {
            return uploads;
        }

        public int downloads() {
            return downloads;
        }

        public int total() {
            return uploads + downloads;
        }
    }

    private static final ThreadLocal<Tally> ACTIVE = new ThreadLocal<>();

    private HostTransfers() {}

    /** Counts what {@code work} moves on this thread. */
    public static Tally count(Runnable work) {
        Tally tally = new Tally();
        Tally previous = ACTIVE.get();
        ACTIVE.set(tally);
        try {
            work.run();
        } finally {
            ACTIVE.set(previous);
        }
        return tally;
    }

    /** A tensor made from Java values. */
    public static void upload() {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            tally.uploads++;
        }
    }

    /** A value read back to Java. */
    public static void download() {
        Tally tally = ACTIVE.get();
        if (tally != null) {
            tally.downloads++;
        }
    }
}

package org.neologism.core.sampling;

/**
 * The timestep spacings of diffusers' {@code set_timesteps}, with numpy's arithmetic ({@code np.arange},
 * {@code np.linspace}, {@code np.round} half to even), so the tables come out identical.
 */
public final class Timesteps {

    private Timesteps() {}

    /** {@code leading}: arange(0, n)·(N // n), descending, plus {@code steps_offset}. */
    public static double[] leading(int train, int n, int offset) {
        int ratio = train / n;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (double) (n - 1 - i) * ratio + offset;
        }
        return out;
    }

    /** {@code trailing}: round(arange(N, 0, −N/n)) − 1, descending. */
    public static double[] trailing(int train, int n) {
        double[] values = round(arange(train, 0, -(double) train / n));
        for (int i = 0; i < values.length; i++) {
            values[i] -= 1;
        }
        return values;
    }

    /** {@code linspace}: linspace(0, N − 1, n), descending and not rounded. */
    public static double[] linspace(int train, int n) {
        return reversed(npLinspace(0, train - 1, n));
    }

    /** numpy's {@code np.arange(start, stop, step)} for doubles: element i is start + i·(fl(start + step) − start). */
    public static double[] arange(double start, double stop, double step) {
        int length = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[length];
        double delta = (start + step) - start;
        for (int i = 0; i < length; i++) {
            out[i] = i == 0 ? start : start + i * delta;
        }
        return out;
    }

    /** numpy's {@code np.linspace(start, stop, num)}: arange(num)·step + start, the last element exactly stop. */
    public static double[] npLinspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** {@code np.round}: half to even. */
    public static double[] round(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.rint(values[i]);
        }
        return out;
    }

    public static double[] reversed(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[values.length - 1 - i];
        }
        return out;
    }

    /** The spacing named by {@code timestep_spacing}, before any sampler-specific rounding. */
    public static double[] spaced(SchedulerValues config, String sampler, String defaultSpacing, int train, int n) {
        String spacing = config.text("timestep_spacing", defaultSpacing);
        return switch (spacing) {
            case "leading" -> leading(train, n, config.integer("steps_offset", 0));
            case "trailing" -> trailing(train, n);
            case "linspace" -> linspace(train, n);
            default -> {
                config.require(false, "timestep_spacing", sampler, "leading, trailing, linspace");
                yield null;
            }
        };
    }
}

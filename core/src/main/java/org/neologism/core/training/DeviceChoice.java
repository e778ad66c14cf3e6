package org.neologism.core.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * {@code --device}: {@code cpu}, {@code gpu} or {@code gpu:N}; {@link #AUTO} (the option not given) picks a
 * GPU when one is visible. Whether the device exists here is the trainer's question, not the request's.
 *
 * @param kind  which kind of device
 * @param index the GPU's number for {@code gpu:N}, else -1
 */
public record DeviceChoice(Kind kind, int index) {

    /** The kinds of device a run can ask for. */
    public enum Kind { AUTO, CPU, GPU }

    public static final DeviceChoice AUTO = new DeviceChoice(Kind.AUTO, -1);
    public static final DeviceChoice CPU = new DeviceChoice(Kind.CPU, -1);
    public static final DeviceChoice GPU = new DeviceChoice(Kind.GPU, -1);

    public DeviceChoice {
        if (kind == null) {
            throw new IllegalArgumentException("a device kind is needed");
        }
        if (kind != Kind.GPU && index != -1 || index < -1) {
            throw new IllegalArgumentException("--device: only gpu takes a number, gpu:N with N >= 0");
        }
    }

    /**
     * The device {@code --device} names; null or blank for {@link #AUTO}.
     *
     * @throws IllegalArgumentException naming the flag and what it accepts
     */
    @JsonCreator
    public static DeviceChoice of(String flag) {
        String wanted = flag == null ? "" : flag.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty() || wanted.equals("auto")) {
            return AUTO;
        }
        if (wanted.equals("cpu")) {
            return CPU;
        }
        if (wanted.equals("gpu") || wanted.equals("cuda")) {
            return GPU;
        }
        if (wanted.matches("(gpu|cuda):\\d{1,3}")) {
            return new DeviceChoice(Kind.GPU, Integer.parseInt(wanted.substring(wanted.indexOf(':') + 1)));
        }
        throw new IllegalArgumentException("--device " + flag + " is not a device: use cpu, gpu or gpu:N");
    }

    /** As {@code --device} spells it; {@code auto} for the default. */
    @JsonValue
    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case GPU -> index < 0 ? "gpu" : "gpu:" + index;
        };
    }
}

package org.neologism.core.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** {@code --mixed_precision}: the dtype of the frozen UNet and VAE. */
public enum MixedPrecision {
    NO("no"),
    FP16("fp16"),
    /** Accepted on the command line so it can be refused with the reason (DJL 0.36 cannot hold bfloat16). */
    BF16("bf16");

    private final String flag;

    MixedPrecision(String flag) {
        this.flag = flag;
    }

    /** The value as invokeai-ti spells it (and as checkpoints store it). */
    @JsonValue
    public String flag() {
        return flag;
    }

    public boolean isHalf() {
        return this == FP16;
    }

    /** @throws IllegalArgumentException naming the flag and its values */
    @JsonCreator
    public static MixedPrecision of(String flag) {
        String wanted = flag == null ? "" : flag.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(value -> value.flag.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--mixed_precision must be no, fp16 or bf16, not " + flag));
    }

    @Override
    public String toString() {
        return flag;
    }
}

package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ComponentFailuresTest {

    @Test
    void stackFramesAreDroppedFromAComponentFailure() {
        String trace = "java.lang.IllegalStateException: no libtorch\n\tat a.B.c(B.java:1)\n\t... 4 more\n"
                + "Caused by: java.io.IOException: offline\n\tat d.E.f(E.java:2)\n";
        assertEquals("java.lang.IllegalStateException: no libtorch\n  Caused by: java.io.IOException: offline",
                ComponentFailures.withoutStackFrames(trace));
    }
}

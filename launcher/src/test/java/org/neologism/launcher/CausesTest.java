package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class CausesTest {

    @Test
    void theRootCauseReachesTheUser() {
        Exception error = new RuntimeException("activation failed", new IOException("libtorch.so missing"));
        assertEquals("activation failed\n  caused by: libtorch.so missing", Causes.describe(error));
    }

    @Test
    void aWrapperThatRepeatsItsCauseIsShownOnce() {
        IOException root = new IOException("disk full");
        assertEquals("java.io.IOException: disk full", Causes.describe(new RuntimeException(root)));
    }

    @Test
    void stackFramesAreDroppedFromAComponentFailure() {
        String trace = "java.lang.IllegalStateException: no libtorch\n\tat a.B.c(B.java:1)\n\t... 4 more\n"
                + "Caused by: java.io.IOException: offline\n\tat d.E.f(E.java:2)\n";
        assertEquals("java.lang.IllegalStateException: no libtorch\n  Caused by: java.io.IOException: offline",
                ComponentFailures.withoutStackFrames(trace));
    }
}

package org.neologism.core.launch;

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
}

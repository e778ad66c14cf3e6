package org.neologism.core.internal.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CaptionTest {

    @Test
    void markersBecomeTheTrigger() {
        assertEquals("a <t> on a <t> rug", Caption.prompt("a {} on a [name] rug", "<t>"));
    }

    @Test
    void aCaptionThatAlreadyNamesTheTriggerIsKept() {
        assertEquals("my <t> asleep", Caption.prompt("my <t> asleep", "<t>"));
    }

    @Test
    void aCaptionWithoutTheTriggerGetsItInFront() {
        assertEquals("<t> <t>_1, a cat", Caption.prompt("a cat", "<t> <t>_1"));
    }
}

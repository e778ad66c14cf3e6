package org.neologism.schedulers.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.schedulers.ConstantSchedule;
import org.neologism.schedulers.CosineWithRestartsSchedule;
import org.neologism.schedulers.LinearSchedule;

class ScheduleCatalogTest {

    private static Map.Entry<Map<String, Object>, LearningRateSchedule> service(LearningRateSchedule schedule, long bundle,
            long id, int ranking) {
        return new SimpleEntry<>(Map.of(LearningRateSchedule.NAME_PROPERTY, schedule.name(), "service.bundleid", bundle,
                "service.id", id, "service.ranking", ranking), schedule);
    }

    private final LinearSchedule ours = new LinearSchedule();
    private final LinearSchedule theirs = new LinearSchedule();
    private final ScheduleCatalog catalog = ScheduleCatalog.of(List.of(
            service(new CosineWithRestartsSchedule(), 7, 20, 0),
            service(ours, 7, 21, 0),
            service(theirs, 9, 40, 5),
            service(new ConstantSchedule(), 7, 22, 0)), bundle -> "bundle-" + bundle);

    @Test
    void theHighestRankedProviderOfANameIsTheOneConsumersGet() {
        assertSame(theirs, catalog.require("linear").schedule());
        assertEquals("bundle-9", catalog.require("linear").provider());
    }

    @Test
    void amongEqualRankingsTheOldestServiceWins() {
        ScheduleCatalog equal = ScheduleCatalog.of(List.of(service(theirs, 9, 40, 0), service(ours, 7, 21, 0)), bundle -> "b" + bundle);
        assertSame(ours, equal.require("linear").schedule());
    }

    @Test
    void anUnknownNameListsTheAvailableOnes() {
        assertEquals("No learning-rate schedule named 'cosnie' is registered; available: constant, cosine_with_restarts, linear",
                assertThrows(IllegalArgumentException.class, () -> catalog.require("cosnie")).getMessage());
    }

    @Test
    void theListingShowsParametersAndMarksTheShadowedProvider() {
        List<String> lines = ScheduleListing.lines(catalog);
        assertEquals(List.of(
                "constant              from bundle-7",
                "cosine_with_restarts  from bundle-7",
                "                        num_cycles=1  number of hard restarts (cosine cycles) after warmup, a whole number >= 1 (--lr_num_cycles)",
                "linear                from bundle-9",
                "linear                from bundle-7  (not used: another provider of this name ranks higher)"), lines);
        assertTrue(ScheduleListing.lines(new ScheduleCatalog(List.of())).get(0).startsWith("No learning-rate schedules are registered"));
    }
}

package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    @Test
    void noArgumentsMeansTheInteractiveShell() {
        LaunchOptions options = LaunchOptions.parse();
        assertTrue(options.interactive());
        assertFalse(options.help());
    }

    @Test
    void runCommandsKeepTheirOrderAndPropertiesPassThrough() {
        LaunchOptions options = LaunchOptions.parse("-Da=1", "--run", "ti:info", "--run=ti:tensor-check", "-Dflag");
        assertEquals(List.of("ti:info", "ti:tensor-check"), options.commands());
        assertEquals(Map.of("a", "1", "flag", "true"), options.properties());
        assertFalse(options.interactive());
    }

    @Test
    void aPropertyValueMayContainEqualsSigns() {
        assertEquals("x=y", LaunchOptions.parse("-Dk=x=y").properties().get("k"));
    }

    @Test
    void anUnknownOptionIsRefusedNamingIt() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--rnu", "x"));
        assertTrue(error.getMessage().contains("--rnu"));
        assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--run"));
    }
}

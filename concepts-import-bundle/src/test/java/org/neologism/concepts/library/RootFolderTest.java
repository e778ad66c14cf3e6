package org.neologism.concepts.library;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootFolderTest {

    @TempDir
    Path temp;

    private final Path home = Path.of("/home/someone");

    @Test
    void thePropertyWinsOverTheEnvironment() {
        RootFolder root = RootFolder.resolve(p -> p.equals("neologism.root") ? "/from/property" : null,
                Map.of("NEOLOGISM_ROOT", "/from/env", "INVOKEAI_ROOT", temp.toString()), home);
        assertEquals(Path.of("/from/property"), root.path());
        assertEquals(Path.of("/from/property/embeddings"), root.embeddings());
    }

    @Test
    void neologismRootComesBeforeAnInvokeAiRoot() {
        assertEquals(Path.of("/from/env"), RootFolder.resolve(p -> null,
                Map.of("NEOLOGISM_ROOT", "/from/env", "INVOKEAI_ROOT", temp.toString()), home).path());
    }

    @Test
    void anExistingInvokeAiRootIsSharedAndAMissingOneIgnored() {
        assertEquals(temp, RootFolder.resolve(p -> null, Map.of("INVOKEAI_ROOT", temp.toString()), home).path());
        assertEquals(home.resolve("neologism"), RootFolder.resolve(p -> null,
                Map.of("INVOKEAI_ROOT", temp.resolve("missing").toString()), home).path());
    }

    @Test
    void theDefaultIsNeologismInTheHomeFolder() {
        assertEquals(home.resolve("neologism"), RootFolder.resolve(p -> null, Map.of(), home).path());
    }
}

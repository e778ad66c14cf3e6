package org.neologism.core.root;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootFolderTest {

    @TempDir
    Path temp;

    @Test
    void theRootFlagWinsOverTheEnvironment() {
        RootFolder root = RootFolder.resolve(name -> name.equals("neologism.root") ? "/data/ti" : null,
                Map.of("NEOLOGISM_ROOT", "/elsewhere"), temp);
        assertEquals(Path.of("/data/ti"), root.path());
    }

    @Test
    void anExistingInvokeAiRootIsSharedButAMissingOneIsNot() {
        assertEquals(temp, RootFolder.resolve(name -> null, Map.of("INVOKEAI_ROOT", temp.toString()), Path.of("/home/u")).path());
        assertEquals(Path.of("/home/u/neologism"),
                RootFolder.resolve(name -> null, Map.of("INVOKEAI_ROOT", temp.resolve("missing").toString()), Path.of("/home/u")).path());
    }

    @Test
    void neologismRootComesBeforeInvokeAiRoot() {
        assertEquals(Path.of("/n"), RootFolder.resolve(name -> null,
                Map.of("NEOLOGISM_ROOT", "/n", "INVOKEAI_ROOT", temp.toString()), temp).path());
    }

    @Test
    void triggerFoldersDropTheAngleBracketsAsInvokeAiDoes() {
        RootFolder root = new RootFolder(temp);
        assertEquals(temp.resolve("text-inversion-output/cat-toy"), root.trainingOutput("<cat-toy>"));
        assertEquals(temp.resolve("text-inversion-training-data/psychedelic"), root.trainingData("<psychedelic>"));
        assertEquals("plain", RootFolder.folderName("plain"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> RootFolder.folderName("<../x>"));
        assertTrue(error.getMessage().contains("<../x>"));
        assertThrows(IllegalArgumentException.class, () -> RootFolder.folderName("<>"));
    }

    @Test
    void theLayoutIsTheGuides() throws Exception {
        new RootFolder(temp).createLayout();
        for (String folder : new String[] {"embeddings", "text-inversion-training-data", "text-inversion-output", "configs", "models"}) {
            assertTrue(Files.isDirectory(temp.resolve(folder)), folder);
        }
    }
}

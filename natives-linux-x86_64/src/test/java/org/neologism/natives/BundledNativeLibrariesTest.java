package org.neologism.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledNativeLibrariesTest {

    @TempDir
    Path temp;

    @Test
    void aBundleInstalledFromAnUnpackedFolderIsUsedInPlace() throws Exception {
        Path bundle = Files.createDirectories(temp.resolve("org.neologism.natives.linux.x86_64/native"));
        assertEquals(bundle, BundledNativeLibraries.inPlace("reference:" + bundle.getParent().toUri()));
    }

    @Test
    void aBundleInstalledFromItsJarIsUnpacked() throws Exception {
        Path jar = Files.createFile(temp.resolve("natives.jar"));
        assertNull(BundledNativeLibraries.inPlace("reference:" + jar.toUri()));
        assertNull(BundledNativeLibraries.inPlace(jar.toUri().toString()));
        assertNull(BundledNativeLibraries.inPlace("mvn:org.neologism/org.neologism.natives.linux.x86_64/0.1.0"));
        assertNull(BundledNativeLibraries.inPlace(null));
    }
}

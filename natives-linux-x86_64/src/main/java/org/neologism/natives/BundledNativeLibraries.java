package org.neologism.natives;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.neologism.core.natives.NativeLibraries;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The libraries under this bundle's {@code native/} folder, on disk where the trainer can load them.
 *
 * <p>A bundle installed from an unpacked folder ({@code reference:file:/…/}, as the distribution's
 * launcher does) already has them on disk and is used in place: no copy, no start-up cost. A bundle
 * installed from its jar (Karaf, Equinox, any host) is unpacked once into its bundle data area, under
 * a name that changes when the bundle is updated; later starts find the finished copy.
 */
@Component(service = NativeLibraries.class)
public class BundledNativeLibraries implements NativeLibraries {

    static final String PLATFORM = "linux-x86_64";
    static final String FOLDER = "native";
    /** Written last: a copy without it was interrupted and is redone. */
    static final String COMPLETE = ".complete";

    private final Bundle bundle;
    private final BundleContext context;
    private Path folder;

    @Activate
    public BundledNativeLibraries(BundleContext context) {
        this.context = context;
        this.bundle = context.getBundle();
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public synchronized Path folder() throws IOException {
        if (folder == null) {
            folder = inPlace(bundle.getLocation());
            if (folder == null) {
                folder = unpackedOnce();
            }
        }
        return folder;
    }

    /** The bundle's own {@code native/} folder when it was installed from an unpacked folder, else null. */
    static Path inPlace(String location) {
        String reference = "reference:";
        if (location == null || !location.startsWith(reference + "file:")) {
            return null;
        }
        Path root;
        try {
            root = Path.of(URI.create(location.substring(reference.length())));
        } catch (IllegalArgumentException e) {
            return null;
        }
        Path natives = root.resolve(FOLDER);
        return Files.isDirectory(root) && Files.isDirectory(natives) ? natives : null;
    }

    private Path unpackedOnce() throws IOException {
        Path dataArea = dataArea();
        Path target = dataArea.resolve(FOLDER + "-" + bundle.getVersion() + "-" + bundle.getLastModified());
        if (Files.isRegularFile(target.resolve(COMPLETE))) {
            return target;
        }
        // Unpack beside the target and move it into place at the end, so a second framework started at
        // the same moment, or a start after a crash, never loads a half-written library.
        Path partial = Files.createTempDirectory(dataArea, ".partial-" + FOLDER + "-");
        try {
            for (URL entry : entries()) {
                String path = entry.getPath();
                Path file = partial.resolve(path.substring(path.lastIndexOf('/') + 1));
                try (InputStream in = entry.openStream()) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.createFile(partial.resolve(COMPLETE));
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(target.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } catch (IOException e) {
            throw new IOException("Cannot unpack libtorch from bundle " + bundle.getSymbolicName() + " into " + dataArea
                    + " (" + e.getMessage() + "). The framework's storage folder needs about 450 MB free and must be writable.", e);
        } finally {
            Deleting.recursively(partial);
        }
        removeOlderCopies(dataArea, target);
        return target;
    }

    private Path dataArea() throws IOException {
        java.io.File area = context.getDataFile("");
        if (area == null) {
            throw new IOException("The framework gives bundle " + bundle.getSymbolicName()
                    + " no data area (no file system support), so libtorch cannot be unpacked; set PYTORCH_LIBRARY_PATH"
                    + " to a folder holding libtorch 2.7.1 and libdjl_torch.so instead.");
        }
        return Files.createDirectories(area.toPath());
    }

    private List<URL> entries() throws IOException {
        var found = bundle.findEntries(FOLDER, "*", false);
        List<URL> entries = found == null ? new ArrayList<>() : Collections.list(found);
        entries.removeIf(url -> url.getPath().endsWith("/"));
        if (entries.isEmpty()) {
            throw new IOException("bundle " + bundle.getSymbolicName() + " holds no " + FOLDER + "/ libraries: it was built wrongly");
        }
        return entries;
    }

    /** Copies left by earlier versions of this bundle: each is 450 MB. */
    private static void removeOlderCopies(Path dataArea, Path current) throws IOException {
        try (var copies = Files.list(dataArea)) {
            for (Path copy : copies.filter(path -> path.getFileName().toString().startsWith(FOLDER + "-")).toList()) {
                if (!copy.equals(current)) {
                    Deleting.recursively(copy);
                }
            }
        }
    }
}

package org.neologism.core.natives;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A folder of native libraries for one platform, delivered as OSGi content: a platform bundle
 * registers this service, and the trainer loads libtorch and DJL's JNI library from {@link #folder()}.
 * Nothing is downloaded and nothing is written to the user's home.
 */
public interface NativeLibraries {

    /** The platform the libraries are built for, in DJL's naming: {@code linux-x86_64}. */
    String platform();

    /**
     * The folder holding the libraries, ready to load from. The first call may unpack them (once per
     * installation of the bundle); later calls and later starts of the framework reuse that copy.
     *
     * @throws IOException when the libraries cannot be unpacked, naming the folder
     */
    Path folder() throws IOException;
}

/** Where the native libraries the trainer loads (libtorch, DJL's JNI library) are found in a host. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.natives;

/**
 * How the launcher reaches a front end: a {@link org.neologism.core.launch.CommandLineTool} service named by
 * {@code neologism.tool}. The launcher's class path holds this package and the framework exports it from
 * there ({@code org.osgi.framework.system.packages.extra}), so the launcher and the bundles share one
 * interface and the launcher calls the service as plain Java.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.neologism.core.launch;

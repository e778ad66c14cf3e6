/**
 * What a diffusers model folder says about itself: its family, the token width of each text encoder and its
 * prediction type, read from the JSON configs alone. The one reader of that metadata for every bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.model;

/**
 * The CLIP byte-pair tokenizer of Stable Diffusion's text encoder, read from a diffusers {@code tokenizer/}
 * folder and producing the same ids as HF transformers' slow {@code CLIPTokenizer} with ftfy installed,
 * including added (placeholder) tokens and diffusers' textual-inversion checks.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.neologism.core.tokenizer;

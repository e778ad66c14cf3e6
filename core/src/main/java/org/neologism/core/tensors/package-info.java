/**
 * Tensor files without a tensor library: safetensors (read memory-mapped, write atomically) and PyTorch
 * checkpoints ({@code torch.save} zip and legacy formats) through a restricted unpickler that never
 * executes anything.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.neologism.core.tensors;

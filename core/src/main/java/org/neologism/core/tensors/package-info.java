/**
 * Tensor files without a tensor library: safetensors (read memory-mapped, write atomically) and PyTorch
 * checkpoints ({@code torch.save} zip and legacy formats) through a restricted unpickler that never
 * executes anything. 1.1.0 added PyTorch checkpoints (TorchCheckpoint, its writer and pickled values) and
 * {@code Shapes}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.neologism.core.tensors;
